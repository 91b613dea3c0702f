// Generalized ESD (Rosner 1983; NIST e-Handbook 1.3.5.17), with the robust median/MAD variant
// that Twitter's S-H-ESD uses on seasonal residuals.
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { MAD_TO_SIGMA, finiteValues, mean, medianOfSorted, sampleSd } from './robust';

export interface GesdOptions {
  /** Upper bound on the number of outliers tested. */
  maxOutliers: number;
  alpha?: number;
  /** 'classic' uses mean/sd (Rosner); 'robust' uses median/MAD (Twitter S-H-ESD). */
  variant?: 'classic' | 'robust';
  /** 'both' (default), or one-sided: only large ('pos') or only small ('neg') values. */
  direction?: 'both' | 'pos' | 'neg';
}

export interface GesdStep {
  /** Test statistic R_i. */
  r: number;
  /** Critical value λ_i. */
  lambda: number;
  /** Index in the input of the point removed at this step. */
  index: number;
  value: number;
}

export interface GesdResult {
  steps: GesdStep[];
  /** Input indices of the outliers (the first `count` removed points). */
  outliers: number[];
}

/** λ_i = t_{p,n−i−1}(n−i)/√((n−i−1+t²)(n−i+1)) with p = 1−α/(2(n−i+1)) two-sided, 1−α/(n−i+1) one-sided. */
export function gesdCritical(n: number, i: number, alpha: number, twoSided: boolean): number {
  const df = n - i - 1;
  if (df < 1) return NaN;
  const p = twoSided ? 1 - alpha / (2 * (n - i + 1)) : 1 - alpha / (n - i + 1);
  const t = tQuantile(p, df);
  return (t * (n - i)) / Math.sqrt((df + t * t) * (n - i + 1));
}

function centerScale(vals: readonly number[], robust: boolean): [number, number] {
  if (!robust) return [mean(vals), sampleSd(vals)];
  const s = [...vals].sort((a, b) => a - b);
  const c = medianOfSorted(s);
  const dev = s.map((x) => Math.abs(x - c)).sort((a, b) => a - b);
  return [c, MAD_TO_SIGMA * medianOfSorted(dev)];
}

/** Runs r steps of generalized ESD; NaN entries are skipped and never reported. */
export function gesd(xs: readonly number[], o: GesdOptions): GesdResult {
  const alpha = o.alpha ?? 0.05;
  const robust = o.variant === 'robust';
  const direction = o.direction ?? 'both';
  const idx: number[] = [];
  xs.forEach((x, i) => { if (Number.isFinite(x)) idx.push(i); });
  const n = finiteValues(xs).length;
  const steps: GesdStep[] = [];
  let count = 0;
  const remaining = [...idx];
  for (let i = 1; i <= o.maxOutliers && remaining.length > 2; i += 1) {
    const vals = remaining.map((j) => xs[j]);
    const [c, s] = centerScale(vals, robust);
    // Twitter stops when the scale collapses (constant remainder): no further test is meaningful.
    if (!(s > 0)) break;
    let best = -1;
    let bestDev = -Infinity;
    remaining.forEach((j, k) => {
      const d = direction === 'pos' ? xs[j] - c : direction === 'neg' ? c - xs[j] : Math.abs(xs[j] - c);
      if (d > bestDev) { bestDev = d; best = k; }
    });
    const r = bestDev / s;
    const lambda = gesdCritical(n, i, alpha, direction === 'both');
    const index = remaining[best];
    steps.push({ r, lambda, index, value: xs[index] });
    if (r > lambda) count = i;
    remaining.splice(best, 1);
  }
  return { steps, outliers: steps.slice(0, count).map((s) => s.index) };
}
