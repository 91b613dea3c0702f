// After a change is applied it is watched: once enough calls ran under it, the post-apply window is
// compared with the window before (and with what the experiment expected). A significant drop in
// success or quality, or a cost or latency clearly worse than before, is a regression: roll back.
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

export interface WindowMetrics {
  calls: number;
  successRate: number;
  costPerCall: number;
  /** Per-call cost variance (0 when unknown), so a cost rise is judged against the cost's own noise. */
  costVariance?: number;
  latencyMeanMs: number | null;
  /** Per-call latency variance (0 when unknown). */
  latencyVariance?: number;
  quality: number | null;
  qualityCount: number;
  /** Per-call quality variance, for the quality test (0 when unknown). */
  qualityVariance: number;
}

export interface WatchExpectation {
  metric: string;
  /** Expected relative change of the metric (e.g. −0.4 for 40% cheaper). */
  relative: number;
}

export interface WatchVerdict {
  verdict: 'pending' | 'held' | 'regressed';
  reasons: string[];
  /** Relative change of each metric, post vs before. */
  changes: Record<string, number | null>;
}

const ALPHA = 0.01;
/** A cost or latency this much above the pre-change level is a regression whatever was expected. */
const TOLERATED_RISE = 0.15;

/** Standard error of a window mean; an unknown variance counts as none (the bare threshold decides). */
function se(variance: number | undefined, n: number): number {
  return variance !== undefined && n > 0 ? Math.sqrt(variance / n) : 0;
}

function oneSidedDropP(before: number, after: number, seBefore: number, seAfter: number): number {
  const se = Math.sqrt(seBefore ** 2 + seAfter ** 2);
  if (!(se > 0)) return after < before ? 0 : 1;
  return normalCdf((after - before) / se, 0, 1);
}

export function judgeWatch(before: WindowMetrics, after: WindowMetrics, expectation: WatchExpectation, options: { minCalls: number; qualityMargin: number }): WatchVerdict {
  const rel = (a: number | null, b: number | null) => (a !== null && b !== null && b !== 0 ? (a - b) / Math.abs(b) : null);
  const changes = {
    cost: rel(after.costPerCall, before.costPerCall),
    latency: rel(after.latencyMeanMs, before.latencyMeanMs),
    success: after.successRate - before.successRate,
    quality: after.quality !== null && before.quality !== null ? after.quality - before.quality : null,
  };
  if (after.calls < options.minCalls) return { verdict: 'pending', reasons: [`${after.calls} of ${options.minCalls} calls since the change`], changes };
  const reasons: string[] = [];
  const seSuccess = (p: number, n: number) => Math.sqrt(Math.max(p * (1 - p), 0.25 / Math.max(n, 1)) / Math.max(n, 1));
  const successP = oneSidedDropP(before.successRate, after.successRate, seSuccess(before.successRate, before.calls), seSuccess(after.successRate, after.calls));
  if (after.successRate < before.successRate - 0.02 && successP < ALPHA) {
    reasons.push(`success rate fell ${(before.successRate * 100).toFixed(1)}% → ${(after.successRate * 100).toFixed(1)}% (p=${successP.toPrecision(2)})`);
  }
  if (before.quality !== null && after.quality !== null && after.qualityCount >= 5 && before.qualityCount >= 5) {
    const seB = Math.sqrt(before.qualityVariance / before.qualityCount);
    const seA = Math.sqrt(after.qualityVariance / after.qualityCount);
    const p = oneSidedDropP(before.quality - options.qualityMargin, after.quality, seB, seA);
    if (after.quality < before.quality - options.qualityMargin && p < ALPHA) {
      reasons.push(`quality fell ${before.quality.toFixed(3)} → ${after.quality.toFixed(3)}, more than the ${options.qualityMargin} margin (p=${p.toPrecision(2)})`);
    }
  }
  if (changes.cost !== null && changes.cost > TOLERATED_RISE + Math.max(0, expectation.metric === 'cost' ? 0 : expectation.relative)) {
    // A rise is a regression only when it stands out of the per-call cost noise (inputs of different
    // lengths cost different amounts): one-sided test of after > before·(1 + tolerated rise).
    const p = 1 - oneSidedDropP(before.costPerCall * (1 + TOLERATED_RISE), after.costPerCall, se(before.costVariance, before.calls), se(after.costVariance, after.calls));
    if (p < ALPHA) reasons.push(`cost per call rose ${(changes.cost * 100).toFixed(0)}% (expected ${(expectation.metric === 'cost' ? expectation.relative * 100 : 0).toFixed(0)}%, p=${p.toPrecision(2)})`);
  }
  const latencyTolerance = 2 * TOLERATED_RISE + (expectation.metric === 'latencyMs' ? Math.max(0, expectation.relative) : 0);
  if (changes.latency !== null && before.latencyMeanMs !== null && after.latencyMeanMs !== null && changes.latency > latencyTolerance) {
    const p = 1 - oneSidedDropP(before.latencyMeanMs * (1 + latencyTolerance), after.latencyMeanMs, se(before.latencyVariance, before.calls), se(after.latencyVariance, after.calls));
    if (p < ALPHA) reasons.push(`mean latency rose ${(changes.latency * 100).toFixed(0)}% (p=${p.toPrecision(2)})`);
  }
  return { verdict: reasons.length > 0 ? 'regressed' : 'held', reasons, changes };
}
