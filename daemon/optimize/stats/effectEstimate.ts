// The effect of treatment over control and its sampling variance, shared by the frequentist,
// sequential and Bayesian engines. Relative effects use the delta method (GrowthBook gbstats):
//   Δ = (μ_b − μ_a)/|μ_a|,  Var(Δ) = σ_b²/(n_b·μ_a²) + σ_a²·μ_b²/(n_a·μ_a⁴)
// Absolute effects: Δ = μ_b − μ_a, Var(Δ) = σ_b²/n_b + σ_a²/n_a.

import type { ArmSummary } from './sufficientStats';

export type EffectScale = 'relative' | 'absolute';

export interface EffectEstimate {
  /** False when the data cannot support inference (zero variance, zero baseline, too few units). */
  readonly valid: boolean;
  readonly reason?: string;
  readonly estimate: number;
  /** Sampling variance of the estimate. */
  readonly variance: number;
  /** Welch–Satterthwaite degrees of freedom (or n−1 for paired data). */
  readonly dof: number;
  /** Units that contributed: n_a + n_b for independent arms, number of pairs for paired data. */
  readonly n: number;
}

export function invalidEffect(reason: string, n = 0): EffectEstimate {
  return { valid: false, reason, estimate: 0, variance: 0, dof: 0, n };
}

/** Welch–Satterthwaite degrees of freedom from per-unit variances and counts. */
export function welchDegreesOfFreedom(control: ArmSummary, treatment: ArmSummary): number {
  const ua = control.variance / control.n;
  const ub = treatment.variance / treatment.n;
  const denominator = (ub * ub) / (treatment.n - 1) + (ua * ua) / (control.n - 1);
  return ((ua + ub) * (ua + ub)) / denominator;
}

/** Effect of two independent arms. */
export function independentEffect(control: ArmSummary, treatment: ArmSummary, scale: EffectScale): EffectEstimate {
  const n = control.n + treatment.n;
  if (control.n < 2 || treatment.n < 2) return invalidEffect('fewer than two units in an arm', n);
  if (!(control.variance > 0) || !(treatment.variance > 0)) return invalidEffect('zero/negative variance', n);
  const dof = welchDegreesOfFreedom(control, treatment);
  const muA = control.mean;
  const muB = treatment.mean;
  if (scale === 'absolute') {
    const variance = treatment.variance / treatment.n + control.variance / control.n;
    return { valid: true, estimate: muB - muA, variance, dof, n };
  }
  if (muA === 0) return invalidEffect('zero baseline mean', n);
  const estimate = (muB - muA) / Math.abs(muA);
  const variance =
    treatment.variance / (treatment.n * muA * muA) + (control.variance * muB * muB) / (control.n * muA ** 4);
  return { valid: true, estimate, variance, dof, n };
}

/**
 * Effect from paired units (the same input under control and treatment).
 * Relative: Δ = μ_t/μ_c − 1 with the ratio delta method including the covariance, so pairing
 * removes the shared per-input variation. Absolute: the mean of the per-pair differences.
 */
export function pairedEffect(control: readonly number[], treatment: readonly number[], scale: EffectScale): EffectEstimate {
  if (control.length !== treatment.length) throw new RangeError('paired arrays must have the same length');
  const n = control.length;
  if (n < 2) return invalidEffect('fewer than two pairs', n);
  let sumC = 0;
  let sumT = 0;
  for (let i = 0; i < n; i++) {
    sumC += control[i];
    sumT += treatment[i];
  }
  const muC = sumC / n;
  const muT = sumT / n;
  let ssC = 0;
  let ssT = 0;
  let sCT = 0;
  for (let i = 0; i < n; i++) {
    const dc = control[i] - muC;
    const dt = treatment[i] - muT;
    ssC += dc * dc;
    ssT += dt * dt;
    sCT += dc * dt;
  }
  const varC = ssC / (n - 1);
  const varT = ssT / (n - 1);
  const cov = sCT / (n - 1);
  const dof = n - 1;
  if (scale === 'absolute') {
    const variance = (varT + varC - 2 * cov) / n;
    if (!(variance > 0)) return invalidEffect('zero/negative variance', n);
    return { valid: true, estimate: muT - muC, variance, dof, n };
  }
  if (muC === 0) return invalidEffect('zero baseline mean', n);
  const variance =
    (varT / (muC * muC) + (varC * muT * muT) / muC ** 4 - (2 * cov * muT) / muC ** 3) / n;
  if (!(variance > 0)) return invalidEffect('zero/negative variance', n);
  // Sign-correct for a negative baseline, as the independent form divides by |μ_a|.
  const estimate = (muT - muC) / Math.abs(muC);
  return { valid: true, estimate, variance, dof, n };
}
