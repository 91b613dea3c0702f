// Sufficient statistics for experiment metrics, so storage only needs n, Σx, Σx² (and Σxy for
// ratio and CUPED metrics) per arm. Means and variances follow GrowthBook's gbstats exactly:
// sample variance with n−1 for means, p(1−p) without n−1 for proportions.

/** A continuous metric summarised by count, sum and sum of squares. */
export interface SampleMean {
  readonly kind: 'mean';
  readonly n: number;
  readonly sum: number;
  readonly sumSquares: number;
}

/** A binary metric summarised by count and number of successes. */
export interface Proportion {
  readonly kind: 'proportion';
  readonly n: number;
  readonly successes: number;
}

/** Two metrics observed on the same units (numerator/denominator, post/pre, treatment/control). */
export interface PairedSums {
  readonly n: number;
  readonly sumX: number;
  readonly sumSquaresX: number;
  readonly sumY: number;
  readonly sumSquaresY: number;
  /** Σ x·y over the units. */
  readonly sumXY: number;
}

export type MetricStatistic = SampleMean | Proportion;

/** What every test needs from one arm: unit count, mean and per-unit variance. */
export interface ArmSummary {
  readonly n: number;
  readonly mean: number;
  /** Per-unit variance (not divided by n). */
  readonly variance: number;
}

export function sampleMean(n: number, sum: number, sumSquares: number): SampleMean {
  return { kind: 'mean', n, sum, sumSquares };
}

export function proportion(n: number, successes: number): Proportion {
  return { kind: 'proportion', n, successes };
}

export function sampleMeanOf(values: readonly number[]): SampleMean {
  let sum = 0;
  let sumSquares = 0;
  for (const v of values) {
    sum += v;
    sumSquares += v * v;
  }
  return sampleMean(values.length, sum, sumSquares);
}

export function pairedSumsOf(xs: readonly number[], ys: readonly number[]): PairedSums {
  if (xs.length !== ys.length) throw new RangeError('paired arrays must have the same length');
  let sumX = 0;
  let sumSquaresX = 0;
  let sumY = 0;
  let sumSquaresY = 0;
  let sumXY = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const y = ys[i];
    sumX += x;
    sumSquaresX += x * x;
    sumY += y;
    sumSquaresY += y * y;
    sumXY += x * y;
  }
  return { n: xs.length, sumX, sumSquaresX, sumY, sumSquaresY, sumXY };
}

/** Adds the sums of two groups of units, as when pooling arms. */
export function addPairedSums(a: PairedSums, b: PairedSums): PairedSums {
  return {
    n: a.n + b.n,
    sumX: a.sumX + b.sumX,
    sumSquaresX: a.sumSquaresX + b.sumSquaresX,
    sumY: a.sumY + b.sumY,
    sumSquaresY: a.sumSquaresY + b.sumSquaresY,
    sumXY: a.sumXY + b.sumXY,
  };
}

export function meanFromSums(n: number, sum: number): number {
  return n > 0 ? sum / n : 0;
}

/** Sample variance (n−1); 0 when fewer than two units, as gbstats does. */
export function varianceFromSums(n: number, sum: number, sumSquares: number): number {
  if (n <= 1) return 0;
  return (sumSquares - (sum * sum) / n) / (n - 1);
}

/** Sample covariance (n−1); 0 when fewer than two units. */
export function covarianceFromSums(n: number, sumX: number, sumY: number, sumXY: number): number {
  if (n <= 1) return 0;
  return (sumXY - (sumX * sumY) / n) / (n - 1);
}

export function statisticMean(stat: MetricStatistic): number {
  return stat.kind === 'mean' ? meanFromSums(stat.n, stat.sum) : meanFromSums(stat.n, stat.successes);
}

export function statisticVariance(stat: MetricStatistic): number {
  if (stat.kind === 'mean') return varianceFromSums(stat.n, stat.sum, stat.sumSquares);
  const p = statisticMean(stat);
  return p * (1 - p);
}

export function summarize(stat: MetricStatistic): ArmSummary {
  return { n: stat.n, mean: statisticMean(stat), variance: statisticVariance(stat) };
}

export function summarizeValues(values: readonly number[]): ArmSummary {
  return summarize(sampleMeanOf(values));
}

export function pairedCovariance(sums: PairedSums): number {
  return covarianceFromSums(sums.n, sums.sumX, sums.sumY, sums.sumXY);
}

export function pairedSummaryX(sums: PairedSums): ArmSummary {
  return { n: sums.n, mean: meanFromSums(sums.n, sums.sumX), variance: varianceFromSums(sums.n, sums.sumX, sums.sumSquaresX) };
}

export function pairedSummaryY(sums: PairedSums): ArmSummary {
  return { n: sums.n, mean: meanFromSums(sums.n, sums.sumY), variance: varianceFromSums(sums.n, sums.sumY, sums.sumSquaresY) };
}
