// Trends for the metrics table: OLS slope with a t-based confidence interval, and the change
// against the previous period (relative change with a delta-method CI, plus Welch's t-test).
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';

export interface SlopeEstimate {
  slope: number;
  intercept: number;
  /** Standard error of the slope. */
  se: number;
  low: number;
  high: number;
  n: number;
  /** Two-sided p-value for slope = 0. */
  p: number;
}

/** Ordinary least squares y = a + b·x; pairs with a non-finite coordinate are skipped. */
export function olsSlope(x: readonly number[], y: readonly number[], confidence = 0.95): SlopeEstimate {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (Number.isFinite(x[i]) && Number.isFinite(y[i])) { xs.push(x[i]); ys.push(y[i]); }
  }
  const n = xs.length;
  const none = { slope: NaN, intercept: NaN, se: NaN, low: NaN, high: NaN, n, p: NaN };
  if (n < 2) return none;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i += 1) { sxx += (xs[i] - mx) ** 2; sxy += (xs[i] - mx) * (ys[i] - my); }
  if (sxx === 0) return none;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  if (n < 3) return { slope, intercept, se: NaN, low: NaN, high: NaN, n, p: NaN };
  let sse = 0;
  for (let i = 0; i < n; i += 1) sse += (ys[i] - intercept - slope * xs[i]) ** 2;
  const se = Math.sqrt(sse / (n - 2) / sxx);
  const t = tQuantile(1 - (1 - confidence) / 2, n - 2);
  const p = se > 0 ? 2 * (1 - tCdf(Math.abs(slope / se), n - 2)) : slope === 0 ? 1 : 0;
  return { slope, intercept, se, low: slope - t * se, high: slope + t * se, n, p };
}

export interface PeriodChange {
  previousMean: number;
  currentMean: number;
  absoluteChange: number;
  /** (current − previous)/previous; NaN when previous mean is 0. */
  relativeChange: number;
  relativeLow: number;
  relativeHigh: number;
  /** Welch two-sided p-value for a difference in means. */
  p: number;
}

function meanVar(v: readonly number[]): [number, number, number] {
  const f = v.filter((x) => Number.isFinite(x));
  const n = f.length;
  if (n === 0) return [NaN, NaN, 0];
  const m = f.reduce((a, b) => a + b, 0) / n;
  const s2 = n > 1 ? f.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1) : NaN;
  return [m, s2, n];
}

/**
 * Change of the mean against the previous period. The relative change's CI uses the delta method
 * on the ratio of two independent means (as in GrowthBook's relative effect), with Welch's df.
 */
export function changeVsPrevious(previous: readonly number[], current: readonly number[], confidence = 0.95): PeriodChange {
  const [m0, v0, n0] = meanVar(previous);
  const [m1, v1, n1] = meanVar(current);
  const absoluteChange = m1 - m0;
  const relativeChange = m0 !== 0 ? m1 / m0 - 1 : NaN;
  const out: PeriodChange = { previousMean: m0, currentMean: m1, absoluteChange, relativeChange,
    relativeLow: NaN, relativeHigh: NaN, p: NaN };
  if (n0 < 2 || n1 < 2) return out;
  const a = v0 / n0;
  const b = v1 / n1;
  const seDiff = Math.sqrt(a + b);
  const df = seDiff > 0 ? (a + b) ** 2 / ((a * a) / (n0 - 1) + (b * b) / (n1 - 1)) : n0 + n1 - 2;
  out.p = seDiff > 0 ? 2 * (1 - tCdf(Math.abs(absoluteChange / seDiff), df)) : absoluteChange === 0 ? 1 : 0;
  if (m0 !== 0) {
    // Var(m1/m0) ≈ b/m0² + m1²·a/m0⁴
    const seRel = Math.sqrt(b / (m0 * m0) + (m1 * m1 * a) / m0 ** 4);
    const t = tQuantile(1 - (1 - confidence) / 2, df);
    out.relativeLow = relativeChange - t * seRel;
    out.relativeHigh = relativeChange + t * seRel;
  }
  return out;
}
