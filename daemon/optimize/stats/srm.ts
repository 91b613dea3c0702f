// Sample-ratio mismatch: if the arms did not receive the traffic share they were assigned,
// assignment is broken and no effect estimate can be trusted (gbstats check_srm).

import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';

export const DEFAULT_SRM_THRESHOLD = 0.001;
export const DEFAULT_SRM_MIN_COUNT_PER_ARM = 8;

export interface SrmResult {
  readonly chiSquare: number;
  readonly dof: number;
  readonly pValue: number;
  /** True when p < threshold: do not trust the experiment. */
  readonly mismatch: boolean;
  /** False when some arm is below the minimum count, so the check is not yet meaningful. */
  readonly enoughData: boolean;
}

/** χ² = Σ (o_i − e_i)²/e_i with e_i = w_i/Σw · Σo; p from χ² with k−1 degrees of freedom. */
export function srmCheck(
  observed: readonly number[],
  weights: readonly number[] = observed.map(() => 1),
  threshold = DEFAULT_SRM_THRESHOLD,
  minCountPerArm = DEFAULT_SRM_MIN_COUNT_PER_ARM,
): SrmResult {
  if (observed.length !== weights.length) throw new RangeError('observed and weights differ in length');
  const total = observed.reduce((s, o) => s + o, 0);
  const weightTotal = weights.reduce((s, w) => s + w, 0);
  const dof = observed.length - 1;
  const enoughData = observed.every((o) => o >= minCountPerArm);
  if (dof < 1 || total <= 0 || weightTotal <= 0) return { chiSquare: 0, dof, pValue: 1, mismatch: false, enoughData };
  let chiSquare = 0;
  for (let i = 0; i < observed.length; i++) {
    const expected = (weights[i] / weightTotal) * total;
    if (expected > 0) chiSquare += (observed[i] - expected) ** 2 / expected;
  }
  const pValue = 1 - chisquareCdf(chiSquare, dof);
  return { chiSquare, dof, pValue, mismatch: enoughData && pValue < threshold, enoughData };
}
