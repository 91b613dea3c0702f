// Ratio metrics by the delta method (gbstats variance_of_ratios): the unit is e.g. the pipeline
// run, the metric is aggregated over it ("cost per successful run", "tokens per call").
//   Var(M/D) ≈ σ_M²/μ_D² + σ_D²·μ_M²/μ_D⁴ − 2·cov_MD·μ_M/μ_D³

import type { ArmSummary, PairedSums } from './sufficientStats';
import { pairedCovariance, pairedSumsOf, pairedSummaryX, pairedSummaryY } from './sufficientStats';

/** Per-unit variance of a ratio of means from per-unit moments (divide by n for the mean's). */
export function varianceOfRatio(meanM: number, varM: number, meanD: number, varD: number, covMD: number): number {
  return varM / meanD ** 2 + (varD * meanM ** 2) / meanD ** 4 - (2 * covMD * meanM) / meanD ** 3;
}

export interface RatioEstimate {
  readonly n: number;
  /** ΣM/ΣD. */
  readonly ratio: number;
  /** Per-unit variance of the ratio; the variance of the estimated ratio is this over n. */
  readonly unitVariance: number;
  /** Variance of the estimated ratio (unitVariance/n). */
  readonly variance: number;
  readonly standardError: number;
}

/** Ratio estimate from sums where x is the numerator and y the denominator per unit. */
export function ratioFromSums(sums: PairedSums): RatioEstimate {
  const m = pairedSummaryX(sums);
  const d = pairedSummaryY(sums);
  const ratio = sums.sumY !== 0 ? sums.sumX / sums.sumY : 0;
  const unitVariance = d.mean !== 0 ? varianceOfRatio(m.mean, m.variance, d.mean, d.variance, pairedCovariance(sums)) : 0;
  const variance = sums.n > 0 ? unitVariance / sums.n : 0;
  return { n: sums.n, ratio, unitVariance, variance, standardError: Math.sqrt(Math.max(0, variance)) };
}

export function ratioFromValues(numerators: readonly number[], denominators: readonly number[]): RatioEstimate {
  return ratioFromSums(pairedSumsOf(numerators, denominators));
}

/** An arm summary of a ratio metric, usable by the Welch, sequential and Bayesian tests. */
export function ratioArmSummary(sums: PairedSums): ArmSummary {
  const estimate = ratioFromSums(sums);
  return { n: estimate.n, mean: estimate.ratio, variance: estimate.unitVariance };
}
