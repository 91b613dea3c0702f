// One watch tick for one worker × model × prompt group, as a pure function: the group's recent
// calls and quality scores in, the detections and the list of series that were evaluated out.
// Windows are count-based (the last RECENT_CALLS against the calls before them), so quiet and busy
// workers are judged on the same amount of evidence.
import {
  detectMissingTelemetry,
  detectRateLimiting,
  type Anomaly,
  type SeriesPoint,
} from './anomalyDetectors';
import { detectStreamAnomaly } from './streamAnomaly';
import { detectQualityEpisode, detectRateEpisode } from './bucketEpisodes';
import { median } from './robust';

export const HISTORY_CALLS = 300;
export const RECENT_CALLS = 50;

export interface GroupCall {
  t: number;
  latencyMs: number | null;
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  status: string;
  httpStatus: number | null;
  stream: number | null;
}

export interface GroupIdentity {
  worker: string;
  model: string;
  promptVersion: string;
}

export interface GroupEvaluation {
  detections: Anomaly[];
  evaluatedSeries: string[];
}

export function seriesKeyOf(group: GroupIdentity, metric: string): string {
  return `worker=${group.worker}|model=${group.model}|prompt=${group.promptVersion}|metric=${metric}`;
}

export function evaluateGroup(group: GroupIdentity, calls: readonly GroupCall[], quality: ReadonlyArray<{ t: number; value: number }>): GroupEvaluation {
  const detections: Anomaly[] = [];
  const evaluatedSeries: string[] = [];
  const ok = calls.filter((c) => c.status === 'ok');

  const pointsOf = (pick: (c: GroupCall) => number | null): SeriesPoint[] =>
    ok.flatMap((c) => {
      const value = pick(c);
      return value !== null && Number.isFinite(value) ? [{ t: c.t, value }] : [];
    });

  const numericSeries: Array<{ metric: string; points: SeriesPoint[] }> = [
    { metric: 'latency_ms', points: pointsOf((c) => c.latencyMs) },
    { metric: 'cost_usd', points: pointsOf((c) => c.costUsd) },
    { metric: 'output_tokens', points: pointsOf((c) => c.outputTokens) },
  ];
  for (const { metric, points } of numericSeries) {
    if (points.length === 0) continue;
    const seriesKey = seriesKeyOf(group, metric);
    evaluatedSeries.push(seriesKey);
    // The stream scorer over the group's recent calls, with the episode rules (hysteresis,
    // minimum duration): one event per incident, open while it lasts.
    const detection = detectStreamAnomaly(points, { seriesKey, metric, direction: 'up' });
    if (detection) detections.push(withContext(detection, calls));
  }

  const costPoints = ok.flatMap((c) =>
    c.costUsd !== null && c.outputTokens !== null && c.outputTokens > 0 ? [{ t: c.t, costUsd: c.costUsd, outputTokens: c.outputTokens }] : [],
  );
  if (costPoints.length > 0) {
    const seriesKey = seriesKeyOf(group, 'cost_per_output_token');
    evaluatedSeries.push(seriesKey);
    // When the cost per call itself already alarmed, the per-token view adds no news, only noise.
    const costAlarmed = detections.some((d) => d.metric === 'cost_usd');
    const perToken = costPoints.map((c) => ({ t: c.t, value: c.costUsd / c.outputTokens }));
    const found = costAlarmed ? null : detectStreamAnomaly(perToken, { seriesKey, metric: 'cost per output token', direction: 'up' });
    const detection = found && {
      ...found,
      kind: 'cost_per_output_token' as const,
      cause: `cost per output token is ${found.evidence.current >= found.evidence.baseline ? `${(found.evidence.current / found.evidence.baseline).toFixed(1)}× its usual` : 'off its usual'}: a pricier model, a price change, or hidden reasoning tokens (${found.cause})`,
    };
    if (detection) detections.push(withContext(detection, calls));
  }

  if (calls.length > 0) {
    const recent = calls.slice(-RECENT_CALLS);
    const baseline = calls.slice(0, -RECENT_CALLS);
    const rate = (list: readonly GroupCall[], failed: (c: GroupCall) => boolean) => ({ failures: list.filter(failed).length, total: list.length });
    const firstAt = (failed: (c: GroupCall) => boolean) => recent.find(failed)?.t ?? recent[0].t;

    const isError = (c: GroupCall) => c.status === 'error';
    const errorsKey = seriesKeyOf(group, 'errors');
    evaluatedSeries.push(errorsKey);
    // Buckets of calls scored on the stream scorer's scale, with its episode rules (bucketEpisodes.ts).
    const errorSpike = detectRateEpisode(calls.map((c) => ({ t: c.t, failed: isError(c) })), { seriesKey: errorsKey, metric: 'error rate' });
    if (errorSpike) detections.push(errorSpike);

    const isRateLimited = (c: GroupCall) => c.httpStatus === 429;
    const limitedKey = seriesKeyOf(group, '429_rate');
    evaluatedSeries.push(limitedKey);
    const limited = detectRateLimiting(rate(baseline, isRateLimited), rate(recent, isRateLimited), { seriesKey: limitedKey, beganAt: firstAt(isRateLimited) });
    if (limited) detections.push(limited);

    const streamed = (list: readonly GroupCall[]) => list.filter((c) => c.stream === 1 && c.status === 'ok');
    const noUsage = (c: GroupCall) => c.outputTokens === null;
    if (streamed(recent).length > 0) {
      const usageKey = seriesKeyOf(group, 'stream_usage');
      evaluatedSeries.push(usageKey);
      const missing = detectMissingTelemetry(rate(streamed(baseline), noUsage), rate(streamed(recent), noUsage), {
        seriesKey: usageKey,
        beganAt: streamed(recent).find(noUsage)?.t ?? recent[0].t,
      });
      if (missing) detections.push(missing);
    }
  }

  if (quality.length > 0) {
    const qualityKey = seriesKeyOf(group, 'quality');
    evaluatedSeries.push(qualityKey);
    const drop = detectQualityEpisode(quality, qualityKey);
    if (drop) detections.push(drop);
  }
  return { detections, evaluatedSeries };
}

/**
 * Adds what else changed around a latency, cost or token anomaly to its cause: longer prompts,
 * longer answers, or rate limiting (retries and queueing) — the usual suspects.
 */
function withContext(detection: Anomaly, calls: readonly GroupCall[]): Anomaly {
  const before = calls.filter((c) => c.t < detection.beganAt);
  const after = calls.filter((c) => c.t >= detection.beganAt);
  if (before.length < 10 || after.length < 2) return detection;
  const hints: string[] = [];
  const change = (pick: (c: GroupCall) => number | null) => {
    const a = before.map(pick).filter((x): x is number => x !== null && Number.isFinite(x));
    const b = after.map(pick).filter((x): x is number => x !== null && Number.isFinite(x));
    if (a.length < 5 || b.length < 2) return null;
    const m0 = median(a);
    return m0 > 0 ? median(b) / m0 - 1 : null;
  };
  const input = change((c) => c.inputTokens);
  const output = change((c) => c.outputTokens);
  if (input !== null && input > 0.3 && detection.metric !== 'output_tokens') hints.push(`prompts got longer (input tokens +${Math.round(input * 100)}%)`);
  if (output !== null && output > 0.3 && detection.metric !== 'output_tokens') hints.push(`answers got longer (output tokens +${Math.round(output * 100)}%)`);
  const limitedBefore = before.filter((c) => c.httpStatus === 429).length / before.length;
  const limitedAfter = after.filter((c) => c.httpStatus === 429).length / after.length;
  if (detection.metric === 'latency_ms' && limitedAfter > Math.max(0.05, 2 * limitedBefore)) {
    hints.push(`the provider is rate limiting (${Math.round(limitedAfter * 100)}% 429s): retries and queueing add latency`);
  }
  if (hints.length === 0) return detection;
  return { ...detection, cause: `${detection.cause}; likely cause: ${hints.join(', ')}` };
}
