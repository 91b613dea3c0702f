// Per-series anomaly detectors for the daemon's watch loop, as pure functions over what the store
// feeds them. Each returns an Anomaly or null. Numeric metrics (latency, cost, tokens, cost per
// output token) go through the stream scorer with episodes (streamAnomaly.ts), error rate and quality
// through bucket scores on the same episodes (bucketEpisodes.ts); here are the remaining count
// tests, Beta-binomial with minimum counts (REFERENCES A.2.2), for 429s and streams without usage.
import { probRateIncreased } from './betaBinomial';

export type AnomalyKind =
  | 'point_spike' | 'sustained_shift' | 'error_rate_spike' | 'quality_drop'
  | 'cost_per_output_token' | 'rate_limiting' | 'missing_telemetry';

export type Severity = 'info' | 'warning' | 'critical';

export interface Anomaly {
  kind: AnomalyKind;
  severity: Severity;
  /** Identifies the series, e.g. "worker=summarise|model=gpt-4o-mini|metric=latency_ms". */
  seriesKey: string;
  metric: string;
  /** Epoch ms of the first anomalous point. */
  beganAt: number;
  evidence: { baseline: number; current: number; statistic: number; pValue?: number };
  cause: string;
}

export interface SeriesPoint { t: number; value: number }

export interface RateWindow { failures: number; total: number }

export interface RateSpikeOptions {
  seriesKey: string;
  /** 'errors', '429s', 'streams without usage', … */
  metric: string;
  kind?: AnomalyKind;
  beganAt: number;
  minFailures?: number;
  minTotal?: number;
  probability?: number;
  cause?: string;
}

/** Rate spike: P(recent rate > baseline rate) > 0.99 with at least 3 events in at least 10 calls. */
export function detectRateSpike(baseline: RateWindow, recent: RateWindow, o: RateSpikeOptions): Anomaly | null {
  if (recent.failures < (o.minFailures ?? 3) || recent.total < (o.minTotal ?? 10)) return null;
  if (recent.failures > recent.total || baseline.failures > baseline.total) return null;
  const p = probRateIncreased(recent.failures, recent.total, baseline.failures, baseline.total);
  if (!(p > (o.probability ?? 0.99))) return null;
  const base = baseline.total > 0 ? baseline.failures / baseline.total : 0;
  const cur = recent.failures / recent.total;
  return {
    kind: o.kind ?? 'error_rate_spike',
    severity: cur >= 0.25 || (base > 0 && cur / base >= 5) ? 'critical' : 'warning',
    seriesKey: o.seriesKey,
    metric: o.metric,
    beganAt: o.beganAt,
    evidence: { baseline: base, current: cur, statistic: p, pValue: 1 - p },
    cause: o.cause ?? `${o.metric} rose to ${pct(cur)} of calls (${recent.failures}/${recent.total}) from ${pct(base)} (P(increase) = ${p.toFixed(3)})`,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;

/** Rate limiting: the share of 429 responses rose. */
export function detectRateLimiting(baseline: RateWindow, recent: RateWindow, o: Omit<RateSpikeOptions, 'kind' | 'metric'>): Anomaly | null {
  const a = detectRateSpike(baseline, recent, { ...o, metric: '429 rate', kind: 'rate_limiting' });
  if (a) a.cause = `the provider is rate limiting: ${pct(a.evidence.current)} of calls got 429 (was ${pct(a.evidence.baseline)}); lower concurrency or spread requests`;
  return a;
}

/** Missing telemetry: streamed calls that never reported usage (e.g. stream_options.include_usage unset). */
export function detectMissingTelemetry(baseline: RateWindow, recent: RateWindow, o: Omit<RateSpikeOptions, 'kind' | 'metric'>): Anomaly | null {
  const a = detectRateSpike(baseline, recent, { ...o, metric: 'streamed calls without usage', kind: 'missing_telemetry' });
  // A stream that never reports usage is missing telemetry even without a history to compare to.
  const cur = recent.total > 0 ? recent.failures / recent.total : 0;
  if (!a && recent.total >= (o.minTotal ?? 10) && recent.failures >= (o.minFailures ?? 3) && cur >= 0.5) {
    return {
      kind: 'missing_telemetry', severity: 'warning', seriesKey: o.seriesKey, metric: 'streamed calls without usage',
      beganAt: o.beganAt, evidence: { baseline: baseline.total > 0 ? baseline.failures / baseline.total : 0, current: cur, statistic: cur },
      cause: missingCause(cur),
    };
  }
  if (a) a.cause = missingCause(cur);
  return a;
}

const missingCause = (cur: number) =>
  `${pct(cur)} of streamed calls reported no token usage; set stream_options.include_usage so cost and tokens are recorded`;
