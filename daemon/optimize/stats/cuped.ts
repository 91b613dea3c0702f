// CUPED variance reduction (GrowthBook RegressionAdjustedStatistic / compute_theta): the same
// metric from a pre-period (for Flowtune: the same input under the old prompt) explains part of
// the post-period variance. θ is pooled over both arms so it does not depend on the treatment.

import type { ArmSummary, PairedSums } from './sufficientStats';
import { addPairedSums, pairedCovariance, pairedSummaryX, pairedSummaryY } from './sufficientStats';

/** Sums of one arm with x = post-period metric and y = pre-period covariate. */
export type CupedArmSums = PairedSums;

/** θ = cov(post, pre)/var(pre) on both arms pooled; 0 when the covariate has no variance. */
export function cupedTheta(control: CupedArmSums, treatment: CupedArmSums): number {
  const pooled = addPairedSums(control, treatment);
  const preVariance = pairedSummaryY(pooled).variance;
  if (!(preVariance > 0)) return 0;
  return pairedCovariance(pooled) / preVariance;
}

/** Adjusted arm: mean post − θ·pre, per-unit variance var_post + θ²·var_pre − 2θ·cov. */
export function cupedAdjustedArm(arm: CupedArmSums, theta: number): ArmSummary {
  const post = pairedSummaryX(arm);
  const pre = pairedSummaryY(arm);
  const cov = pairedCovariance(arm);
  return {
    n: arm.n,
    mean: post.mean - theta * pre.mean,
    variance: Math.max(0, post.variance + theta * theta * pre.variance - 2 * theta * cov),
  };
}

export interface CupedResult {
  readonly theta: number;
  readonly control: ArmSummary;
  readonly treatment: ArmSummary;
  /** Unadjusted control mean: the denominator for relative effects. */
  readonly baselineMean: number;
}

/** Adjusted arms for an absolute-effect test (welchTTest with scale 'absolute'). */
export function cupedAdjust(control: CupedArmSums, treatment: CupedArmSums): CupedResult {
  const theta = cupedTheta(control, treatment);
  return {
    theta,
    control: cupedAdjustedArm(control, theta),
    treatment: cupedAdjustedArm(treatment, theta),
    baselineMean: pairedSummaryX(control).mean,
  };
}
