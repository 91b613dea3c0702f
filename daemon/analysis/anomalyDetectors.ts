// Per-series anomaly detectors for the daemon's watch loop (issue 4 part 2), as pure functions
// over what the store feeds them. Each returns an Anomaly or null. Thresholds follow REFERENCES
// A.2.2: robust z on the log scale with |z| > 3.5, n ≥ 20 and persistence 2 of 3; CUSUM/EWMA on
// robust-standardised values for sustained shifts; Beta-binomial for rates with minimum counts.
import { robustBaseline, robustZOf } from './robust';
import { ewmaChart, tabularCusum } from './controlCharts';
import { probRateIncreased } from './betaBinomial';
import { changeVsPrevious } from './trend';

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

export interface PointAlarmOptions {
  seriesKey: string;
  metric: string;
  /** Log scale for latency, cost and tokens (default true). */
  logScale?: boolean;
  direction?: 'up' | 'down' | 'both';
  threshold?: number;
  minBaseline?: number;
  baselineWindow?: number;
}

const finitePoints = (pts: readonly SeriesPoint[], log: boolean): SeriesPoint[] =>
  pts.filter((p) => Number.isFinite(p.value) && (!log || p.value >= 0))
    .map((p) => ({ t: p.t, value: log ? Math.log(p.value + 1e-9) : p.value }));

const back = (x: number, log: boolean) => (log ? Math.exp(x) : x);

function directional(z: number, direction: 'up' | 'down' | 'both'): number {
  return direction === 'up' ? z : direction === 'down' ? -z : Math.abs(z);
}

/** Point alarm: at least 2 of the last 3 points beyond the robust threshold, against the points before them. */
export function detectPointAlarm(points: readonly SeriesPoint[], o: PointAlarmOptions): Anomaly | null {
  const log = o.logScale ?? true;
  const dir = o.direction ?? 'up';
  const thr = o.threshold ?? 3.5;
  const pts = finitePoints(points, log);
  if (pts.length < 3) return null;
  const recent = pts.slice(-3);
  const base = pts.slice(0, -3).slice(-(o.baselineWindow ?? 200));
  if (base.length < (o.minBaseline ?? 20)) return null;
  // A floor of 1% (relative on the log scale) keeps constant baselines from alarming on noise.
  const b = robustBaseline(base.map((p) => p.value), { absoluteFloor: log ? 0.01 : 0, relativeFloor: log ? 0 : 0.01 });
  const zs = recent.map((p) => directional(robustZOf(p.value, b), dir));
  const hits = zs.map((z) => z > thr);
  if (hits.filter(Boolean).length < 2) return null;
  const first = hits.indexOf(true);
  const maxZ = Math.max(...zs.filter((z) => Number.isFinite(z)), thr);
  const current = recent[recent.length - 1].value;
  return {
    kind: 'point_spike',
    severity: maxZ > 2 * thr ? 'critical' : 'warning',
    seriesKey: o.seriesKey,
    metric: o.metric,
    beganAt: recent[first].t,
    evidence: { baseline: back(b.center, log), current: back(current, log), statistic: maxZ },
    cause: `${o.metric} is ${describeRatio(back(current, log), back(b.center, log))} its recent median (robust z ${maxZ.toFixed(1)} on ${log ? 'the log scale' : 'the raw scale'}, 2 of the last 3 points)`,
  };
}

function describeRatio(current: number, baseline: number): string {
  if (!(baseline > 0) || !(current > 0)) return current >= baseline ? 'above' : 'below';
  const r = current / baseline;
  return r >= 1 ? `${r.toFixed(1)}×` : `${(1 / r).toFixed(1)}× below`;
}

export interface ShiftOptions extends PointAlarmOptions {
  /** How many trailing points are tested against the baseline before them. */
  recent?: number;
  cusumK?: number;
  cusumH?: number;
}

/** Sustained shift: CUSUM (k, h) or EWMA (λ = 0.2, L = 3) on robust-standardised recent values. */
export function detectSustainedShift(points: readonly SeriesPoint[], o: ShiftOptions): Anomaly | null {
  const log = o.logScale ?? true;
  const dir = o.direction ?? 'both';
  const pts = finitePoints(points, log);
  const recentN = o.recent ?? 30;
  if (pts.length < recentN + (o.minBaseline ?? 20)) return null;
  const recent = pts.slice(-recentN);
  const base = pts.slice(0, -recentN).slice(-(o.baselineWindow ?? 200));
  const b = robustBaseline(base.map((p) => p.value), { absoluteFloor: log ? 0.01 : 0, relativeFloor: log ? 0 : 0.01 });
  if (!(b.scale > 0)) return null;
  const z = recent.map((p) => (p.value - b.center) / b.scale);
  const k = o.cusumK ?? 0.5;
  const h = o.cusumH ?? 5;
  const cusum = tabularCusum(z, { k, h });
  const ewma = ewmaChart(z, { lambda: 0.2, target: 0, sigma: 1, L: 3 });
  const last = cusum[cusum.length - 1];
  const lastE = ewma[ewma.length - 1];
  const up = (last.upper > h || lastE.z > lastE.ucl) && dir !== 'down';
  const down = (last.lower > h || lastE.z < lastE.lcl) && dir !== 'up';
  if (!up && !down) return null;
  // The shift began where the winning CUSUM side last left zero.
  const side = up ? cusum.map((c) => c.upper) : cusum.map((c) => c.lower);
  let start = side.length - 1;
  while (start > 0 && side[start - 1] > 0) start -= 1;
  const recentMedian = robustBaseline(recent.slice(start).map((p) => p.value)).center;
  const stat = up ? last.upper : last.lower;
  return {
    kind: 'sustained_shift',
    severity: Math.abs(recentMedian - b.center) / b.scale > 3 ? 'critical' : 'warning',
    seriesKey: o.seriesKey,
    metric: o.metric,
    beganAt: recent[start].t,
    evidence: { baseline: back(b.center, log), current: back(recentMedian, log), statistic: stat },
    cause: `${o.metric} shifted ${up ? 'up' : 'down'} and stayed there since ${new Date(recent[start].t).toISOString()} (CUSUM ${stat.toFixed(1)} > ${h})`,
  };
}

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

/** Error-rate spike. */
export const detectErrorRateSpike = (baseline: RateWindow, recent: RateWindow, o: Omit<RateSpikeOptions, 'kind'>) =>
  detectRateSpike(baseline, recent, { ...o, kind: 'error_rate_spike' });

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

export interface QualityOptions { seriesKey: string; beganAt: number; minBaseline?: number; minRecent?: number; minDrop?: number; alpha?: number }

/** Quality drop: mean of recent 0–1 scores below the baseline by at least minDrop, one-sided Welch p < alpha. */
export function detectQualityDrop(baseline: readonly number[], recent: readonly number[], o: QualityOptions): Anomaly | null {
  const b = baseline.filter(Number.isFinite);
  const r = recent.filter(Number.isFinite);
  if (b.length < (o.minBaseline ?? 20) || r.length < (o.minRecent ?? 5)) return null;
  const c = changeVsPrevious(b, r);
  const drop = c.previousMean - c.currentMean;
  // One-sided p from the two-sided Welch p; a constant pair gives p = 0 when means differ.
  const p = drop > 0 ? c.p / 2 : 1;
  if (!(drop >= (o.minDrop ?? 0.05)) || !(p < (o.alpha ?? 0.01))) return null;
  return {
    kind: 'quality_drop',
    severity: drop >= 0.15 ? 'critical' : 'warning',
    seriesKey: o.seriesKey,
    metric: 'quality',
    beganAt: o.beganAt,
    evidence: { baseline: c.previousMean, current: c.currentMean, statistic: drop, pValue: p },
    cause: `quality fell from ${c.previousMean.toFixed(2)} to ${c.currentMean.toFixed(2)} (−${drop.toFixed(2)}, p=${p < 0.001 ? '<0.001' : p.toFixed(3)})`,
  };
}

export interface CallCost { t: number; costUsd: number; outputTokens: number }

/** Cost per output token, so that long answers are not flagged as expensive. */
export function detectCostPerOutputToken(calls: readonly CallCost[], o: Omit<PointAlarmOptions, 'metric'>): Anomaly | null {
  const pts = calls.filter((c) => c.outputTokens > 0 && Number.isFinite(c.costUsd)).map((c) => ({ t: c.t, value: c.costUsd / c.outputTokens }));
  const a = detectPointAlarm(pts, { ...o, metric: 'cost per output token', logScale: true, direction: 'up' });
  if (!a) return null;
  return { ...a, kind: 'cost_per_output_token', cause: `cost per output token is ${describeRatio(a.evidence.current, a.evidence.baseline)} usual: a pricier model, a price change, or hidden reasoning tokens` };
}
