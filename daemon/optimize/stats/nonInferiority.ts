// Quality is a guardrail: a change may ship only if it is shown not to lower quality by more
// than a declared margin. One-sided test of H0: Δ ≤ −margin against H1: Δ > −margin, where
// Δ = treatment − control (absolute) or (treatment − control)/|control| (relative).
// Paired replay (same input under both arms) uses the per-pair differences; live traffic uses
// independent arms with Welch's degrees of freedom. The anytime-valid variant uses the one-sided
// confidence sequence so that checking after every batch stays sound.

import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { ArmSummary } from './sufficientStats';
import type { EffectEstimate, EffectScale } from './effectEstimate';
import { invalidEffect, pairedEffect, welchDegreesOfFreedom } from './effectEstimate';
import { sequentialTest } from './sequential';

export interface NonInferiorityOptions {
  readonly alpha?: number;
  /** Whether Δ and the margin are absolute or relative to the control mean. */
  readonly scale?: EffectScale;
  /** Use the anytime-valid confidence sequence instead of the fixed-horizon t bound. */
  readonly sequential?: boolean;
  /** N* of the confidence sequence. */
  readonly tuningN?: number;
}

export interface NonInferiorityResult {
  readonly valid: boolean;
  readonly reason?: string;
  /** Lower confidence bound above −margin: treatment is non-inferior. */
  readonly nonInferior: boolean;
  /** Upper confidence bound below −margin: treatment is shown worse than the margin allows. */
  readonly inferior: boolean;
  readonly difference: number;
  readonly margin: number;
  /** One-sided (1−α) lower bound of Δ. */
  readonly lowerBound: number;
  /** One-sided (1−α) upper bound of Δ. */
  readonly upperBound: number;
  /** One-sided p-value of H0: Δ ≤ −margin (small: non-inferior). */
  readonly pValue: number;
  /** One-sided p-value of H0: Δ ≥ −margin (small: inferior beyond the margin). */
  readonly inferiorityPValue: number;
}

function inconclusive(effect: EffectEstimate, margin: number): NonInferiorityResult {
  return {
    valid: false,
    reason: effect.reason,
    nonInferior: false,
    inferior: false,
    difference: effect.estimate,
    margin,
    lowerBound: -Infinity,
    upperBound: Infinity,
    pValue: 1,
    inferiorityPValue: 1,
  };
}

/** Non-inferiority on an estimated effect. */
export function nonInferiorityFromEffect(
  effect: EffectEstimate,
  margin: number,
  options: NonInferiorityOptions = {},
): NonInferiorityResult {
  if (margin < 0) throw new RangeError('non-inferiority margin must be ≥ 0');
  // A zero-variance difference (e.g. identical outputs for every pair) is exact, not unknown.
  if (!effect.valid && effect.reason === 'zero/negative variance' && effect.n >= 2) {
    return exactResult(effect, margin);
  }
  if (!effect.valid) return inconclusive(effect, margin);
  const alpha = options.alpha ?? 0.05;
  const se = Math.sqrt(effect.variance);
  let lowerBound: number;
  let upperBound: number;
  let pValue: number;
  let inferiorityPValue: number;
  if (options.sequential) {
    const seq = sequentialTest(effect, { alpha, oneSided: true, tuningN: options.tuningN, testValue: -margin });
    lowerBound = seq.ci[0];
    upperBound = seq.ci[1];
    // The one-sided sequence at α is the two-sided one at 2α; halve its p in the favoured direction.
    pValue = effect.estimate + margin > 0 ? seq.pValue / 2 : 1;
    inferiorityPValue = effect.estimate + margin < 0 ? seq.pValue / 2 : 1;
  } else {
    const critical = tQuantile(1 - alpha, effect.dof);
    lowerBound = effect.estimate - critical * se;
    upperBound = effect.estimate + critical * se;
    pValue = tCdf(-(effect.estimate + margin) / se, effect.dof);
    inferiorityPValue = tCdf((effect.estimate + margin) / se, effect.dof);
  }
  return {
    valid: true,
    nonInferior: lowerBound > -margin,
    inferior: upperBound < -margin,
    difference: effect.estimate,
    margin,
    lowerBound,
    upperBound,
    pValue: Math.min(1, pValue),
    inferiorityPValue: Math.min(1, inferiorityPValue),
  };
}

function exactResult(effect: EffectEstimate, margin: number): NonInferiorityResult {
  return {
    valid: true,
    nonInferior: effect.estimate > -margin,
    inferior: effect.estimate < -margin,
    difference: effect.estimate,
    margin,
    lowerBound: effect.estimate,
    upperBound: effect.estimate,
    pValue: effect.estimate > -margin ? 0 : 1,
    inferiorityPValue: effect.estimate < -margin ? 0 : 1,
  };
}

/** Paired non-inferiority: the same inputs under control and treatment. */
export function nonInferiorityPaired(
  control: readonly number[],
  treatment: readonly number[],
  margin: number,
  options: NonInferiorityOptions = {},
): NonInferiorityResult {
  return nonInferiorityFromEffect(pairedEffectForNi(control, treatment, options.scale ?? 'absolute'), margin, options);
}

/**
 * Independent-samples non-inferiority (live split). Unlike the two-sided test, one arm with
 * zero variance (an evaluator that always passes) is allowed: only the total variance matters.
 */
export function nonInferiorityIndependent(
  control: ArmSummary,
  treatment: ArmSummary,
  margin: number,
  options: NonInferiorityOptions = {},
): NonInferiorityResult {
  return nonInferiorityFromEffect(independentEffectForNi(control, treatment, options.scale ?? 'absolute'), margin, options);
}

function independentEffectForNi(control: ArmSummary, treatment: ArmSummary, scale: EffectScale): EffectEstimate {
  const n = control.n + treatment.n;
  if (control.n < 2 || treatment.n < 2) return invalidEffect('fewer than two units in an arm', n);
  const muA = control.mean;
  const muB = treatment.mean;
  if (scale === 'relative' && muA === 0) return invalidEffect('zero baseline mean', n);
  const estimate = scale === 'absolute' ? muB - muA : (muB - muA) / Math.abs(muA);
  const variance =
    scale === 'absolute'
      ? treatment.variance / treatment.n + control.variance / control.n
      : treatment.variance / (treatment.n * muA * muA) + (control.variance * muB * muB) / (control.n * muA ** 4);
  if (!(variance > 0)) return { valid: false, reason: 'zero/negative variance', estimate, variance: 0, dof: 0, n };
  return { valid: true, estimate, variance, dof: welchDegreesOfFreedom(control, treatment), n };
}

/** pairedEffect, but reporting the difference even when it has zero variance. */
function pairedEffectForNi(control: readonly number[], treatment: readonly number[], scale: EffectScale): EffectEstimate {
  const effect = pairedEffect(control, treatment, scale);
  if (effect.valid || effect.reason !== 'zero/negative variance') return effect;
  const n = control.length;
  const muC = control.reduce((s, v) => s + v, 0) / n;
  const muT = treatment.reduce((s, v) => s + v, 0) / n;
  const estimate = scale === 'absolute' ? muT - muC : muC !== 0 ? (muT - muC) / Math.abs(muC) : 0;
  return { ...effect, estimate };
}
