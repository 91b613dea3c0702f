// Robust location/scale and exact quantiles: the building blocks every detector leans on.
// Heavy-tailed LLM metrics (latency, cost, tokens) break mean/sd, so we default to median/MAD.

/** Consistency constant so that MAD/0.6745 (≈1.4826·MAD) estimates σ for normal data (Iglewicz–Hoaglin's 0.6745). */
export const MAD_TO_SIGMA = 1 / 0.6745;
/** Consistency constant so that 1.2533·mean absolute deviation estimates σ for normal data. */
export const MEANAD_TO_SIGMA = 1.2533;
/** Iglewicz–Hoaglin modified z-score threshold. */
export const ROBUST_Z_THRESHOLD = 3.5;

/** Finite values only: NaN, ±Infinity and gaps never enter a statistic. */
export function finiteValues(xs: readonly number[]): number[] {
  const out: number[] = [];
  for (const x of xs) if (Number.isFinite(x)) out.push(x);
  return out;
}

function sortedFinite(xs: readonly number[]): number[] {
  return finiteValues(xs).sort((a, b) => a - b);
}

/** Median of the finite values; NaN when there are none. */
export function median(xs: readonly number[]): number {
  return medianOfSorted(sortedFinite(xs));
}

export function medianOfSorted(s: readonly number[]): number {
  const n = s.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Raw median absolute deviation (not scaled to σ). */
export function mad(xs: readonly number[], center?: number): number {
  const v = finiteValues(xs);
  if (v.length === 0) return NaN;
  const c = center ?? median(v);
  return median(v.map((x) => Math.abs(x - c)));
}

export function mean(xs: readonly number[]): number {
  const v = finiteValues(xs);
  if (v.length === 0) return NaN;
  let s = 0;
  for (const x of v) s += x;
  return s / v.length;
}

/** Sample standard deviation (n−1); NaN below two values. */
export function sampleSd(xs: readonly number[]): number {
  const v = finiteValues(xs);
  if (v.length < 2) return NaN;
  const m = mean(v);
  let ss = 0;
  for (const x of v) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (v.length - 1));
}

export interface RobustScaleOptions {
  /** Minimum σ as a fraction of |median| (guards near-constant series). Default 0. */
  relativeFloor?: number;
  /** Absolute minimum σ. Default 0. */
  absoluteFloor?: number;
}

export interface RobustBaseline {
  center: number;
  /** σ estimate: 1.4826·MAD, falling back to 1.2533·mean-abs-dev when MAD is 0, then to the floors. */
  scale: number;
  n: number;
}

/**
 * Median and a σ-consistent robust scale. When more than half the points are identical
 * the MAD is 0; we then use the mean absolute deviation (Iglewicz–Hoaglin's own fallback),
 * and finally the floors, so a constant series gives scale = floor (possibly 0).
 */
export function robustBaseline(xs: readonly number[], opts: RobustScaleOptions = {}): RobustBaseline {
  const s = sortedFinite(xs);
  const n = s.length;
  if (n === 0) return { center: NaN, scale: NaN, n: 0 };
  const center = medianOfSorted(s);
  const dev = s.map((x) => Math.abs(x - center)).sort((a, b) => a - b);
  let scale = MAD_TO_SIGMA * medianOfSorted(dev);
  if (!(scale > 0)) {
    let sum = 0;
    for (const d of dev) sum += d;
    scale = MEANAD_TO_SIGMA * (sum / n);
  }
  const floor = Math.max(opts.absoluteFloor ?? 0, (opts.relativeFloor ?? 0) * Math.abs(center));
  if (!(scale > floor)) scale = floor;
  return { center, scale, n };
}

/** Robust z of one value against a baseline; 0 when both are degenerate, ±Infinity when only the scale is. */
export function robustZOf(x: number, b: RobustBaseline): number {
  if (!Number.isFinite(x) || !Number.isFinite(b.center)) return NaN;
  const d = x - b.center;
  if (b.scale > 0) return d / b.scale;
  if (d === 0) return 0;
  return d > 0 ? Infinity : -Infinity;
}

/** Iglewicz–Hoaglin modified z-scores, M_i = 0.6745·(x_i − median)/MAD, for every element (NaN stays NaN). */
export function robustZ(xs: readonly number[], opts: RobustScaleOptions = {}): number[] {
  const b = robustBaseline(xs, opts);
  return xs.map((x) => robustZOf(x, b));
}

/** Exact quantile, Hyndman–Fan type 7 (linear interpolation; numpy/R default). */
export function quantileType7(xs: readonly number[], q: number): number {
  return quantileType7Sorted(sortedFinite(xs), q);
}

export function quantileType7Sorted(s: readonly number[], q: number): number {
  const n = s.length;
  if (n === 0 || !(q >= 0 && q <= 1)) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** Lower-rank quantile: the element at floor(q·(n−1)), the definition DDSketch uses. */
export function quantileLower(xs: readonly number[], q: number): number {
  const s = sortedFinite(xs);
  const n = s.length;
  if (n === 0 || !(q >= 0 && q <= 1)) return NaN;
  return s[Math.floor(q * (n - 1))];
}

/** Natural log with an additive epsilon, for zero-inclusive positive metrics (cost, tokens). */
export function logEps(x: number, eps = 1e-9): number {
  if (!Number.isFinite(x) || x < 0) return NaN;
  return Math.log(x + eps);
}

export function logTransform(xs: readonly number[], eps = 1e-9): number[] {
  return xs.map((x) => logEps(x, eps));
}
