// The design of a live split that must end: a bounded number of units per arm, and a quality
// non-inferiority margin this bound can actually show. An absolute margin picked without regard to
// the score's noise (0.02 on a 0–1 score whose per-call standard deviation is 0.3) needs tens of
// thousands of calls; with a bound it would always end inconclusive, and without one it never ends.
// So the margin is the resolution of the bounded design: the smallest drop that the anytime-valid
// one-sided lower bound can rule out, with the chosen power, when nothing changed — in units of the
// control arm's own standard deviation (about 0.42 σ at 150 units per arm, α = 0.05, power 0.8).
// The policy's quality_margin is the floor: the user may always ask for more tolerance, never less
// resolution than the traffic allows.
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import { confidenceSequenceHalfWidth, sequentialRho } from './sequential';

/** Units per arm after which a live split decides whatever it has seen (exposure to a losing arm is bounded by it). */
export const MAX_UNITS_PER_ARM = 150;
export const DESIGN_POWER = 0.8;

/**
 * Smallest margin δ a fixed-horizon one-sided non-inferiority test at level α shows with the given
 * power on n units per arm of standard deviation σ: δ = (z_{1−α} + z_power)·σ·√(2/n).
 */
export function fixedHorizonMargin(sigma: number, nPerArm: number, alpha: number, power = DESIGN_POWER): number {
  return (normalQuantile(1 - alpha, 0, 1) + normalQuantile(power, 0, 1)) * sigma * Math.sqrt(2 / nPerArm);
}

/**
 * The same for the anytime-valid one-sided confidence sequence (tuned at the bound, 2·n units):
 * δ = half-width of the sequence at the bound + z_power·σ·√(2/n).
 */
export function sequentialMargin(sigma: number, nPerArm: number, alpha: number, power = DESIGN_POWER): number {
  const n = 2 * nPerArm;
  const variance = (2 * sigma * sigma) / nPerArm;
  const oneSidedAlpha = 2 * alpha;
  const halfWidth = confidenceSequenceHalfWidth(variance, n, sequentialRho(oneSidedAlpha, n), oneSidedAlpha);
  return halfWidth + normalQuantile(power, 0, 1) * Math.sqrt(variance);
}

export interface SplitDesign {
  /** Absolute quality margin on the score's scale. */
  margin: number;
  maxUnitsPerArm: number;
  /** The control's per-unit quality standard deviation the margin was set from. */
  sigma: number;
  /** The margin in units of σ (what the design can resolve). */
  marginInSd: number;
  why: string;
  /** false: provisional (set from pooled spread while the control had none), recomputed at the next look. */
  frozen?: boolean;
}

export function splitDesign(controlQualitySd: number, policyMargin: number, alpha = 0.05, maxUnitsPerArm = MAX_UNITS_PER_ARM): SplitDesign {
  const sigma = Number.isFinite(controlQualitySd) && controlQualitySd > 0 ? controlQualitySd : 0;
  const resolution = sequentialMargin(sigma, maxUnitsPerArm, alpha);
  const margin = Math.max(policyMargin, resolution);
  const marginInSd = sigma > 0 ? margin / sigma : Infinity;
  const why =
    margin > policyMargin
      ? `margin ${margin.toFixed(3)} = ${marginInSd.toFixed(2)} σ of the control's quality (σ ${sigma.toFixed(3)}): the smallest drop ${maxUnitsPerArm} units per arm can rule out with power ${DESIGN_POWER} (anytime-valid, α ${alpha}); policy.quality_margin ${policyMargin} is finer than this traffic can resolve`
      : `margin ${margin.toFixed(3)} from policy.quality_margin (the design resolves ${resolution.toFixed(3)} with σ ${sigma.toFixed(3)})`;
  return { margin, maxUnitsPerArm, sigma, marginInSd, why };
}
