// Anytime-valid inference, so an experiment may be looked at after every batch without
// inflating the false-positive rate.
// 1. GrowthBook's asymptotic confidence sequence (Waudby-Smith et al., arXiv 2103.06476).
// 2. Optimizely's mixture SPRT (Johari, Pekelis, Walsh): Λ, always-valid p (running minimum)
//    and always-valid CI. The two coincide when τ² = s²ρ².

import type { EffectEstimate } from './effectEstimate';

export const DEFAULT_SEQUENTIAL_TUNING = 5000;

/** ρ of the normal-mixture confidence sequence; N* is roughly where the interval is tightest. */
export function sequentialRho(alpha: number, tuningN: number = DEFAULT_SEQUENTIAL_TUNING): number {
  const l = -2 * Math.log(alpha);
  return Math.sqrt((l + Math.log(l + 1)) / tuningN);
}

export interface SequentialResult {
  readonly valid: boolean;
  readonly reason?: string;
  readonly estimate: number;
  readonly standardError: number;
  readonly ci: readonly [number, number];
  /** Anytime-valid p-value. */
  readonly pValue: number;
  readonly rho: number;
}

export interface SequentialOptions {
  readonly alpha?: number;
  readonly tuningN?: number;
  /** One-sided sequences use 2α in ρ and the half-width, as GrowthBook does. */
  readonly oneSided?: boolean;
  readonly testValue?: number;
}

/** Half-width of the confidence sequence for an effect with variance Var(Δ) over n units. */
export function confidenceSequenceHalfWidth(variance: number, n: number, rho: number, alpha: number): number {
  const s2 = variance * n;
  const nr2 = n * rho * rho;
  return Math.sqrt(s2) * Math.sqrt(((2 * (nr2 + 1)) / (n * n * rho * rho)) * Math.log(Math.sqrt(nr2 + 1) / alpha));
}

/** log of the mixture e-value; p = min(1, 1/e). Kept in logs so p stays exact when tiny. */
export function logMixtureEValue(estimate: number, variance: number, n: number, rho: number): number {
  const nr2 = n * rho * rho;
  const zSquared = (estimate * estimate) / variance;
  return (rho * rho * n * zSquared) / (2 * (nr2 + 1)) - 0.5 * Math.log(nr2 + 1);
}

/** GrowthBook's sequential test on an estimated effect. */
export function sequentialTest(effect: EffectEstimate, options: SequentialOptions = {}): SequentialResult {
  const baseAlpha = options.alpha ?? 0.05;
  const alpha = options.oneSided ? 2 * baseAlpha : baseAlpha;
  const rho = sequentialRho(alpha, options.tuningN ?? DEFAULT_SEQUENTIAL_TUNING);
  if (!effect.valid) {
    return { valid: false, reason: effect.reason, estimate: 0, standardError: 0, ci: [0, 0], pValue: 1, rho };
  }
  const halfWidth = confidenceSequenceHalfWidth(effect.variance, effect.n, rho, alpha);
  const shifted = effect.estimate - (options.testValue ?? 0);
  const logE = logMixtureEValue(shifted, effect.variance, effect.n, rho);
  return {
    valid: true,
    estimate: effect.estimate,
    standardError: Math.sqrt(effect.variance),
    ci: [effect.estimate - halfWidth, effect.estimate + halfWidth],
    pValue: Math.min(1, Math.exp(-logE)),
    rho,
  };
}

export interface MsprtInput {
  /** Observed effect θ̂ (e.g. X̄_B − X̄_A). */
  readonly estimate: number;
  /** Variance of θ̂, e.g. (σ_A² + σ_B²)/n with n per arm. */
  readonly variance: number;
  /** Variance τ² of the N(0, τ²) mixing prior on the effect. */
  readonly tau2: number;
  readonly alpha?: number;
}

export interface MsprtResult {
  readonly lambda: number;
  /** 1/Λ capped at 1, before taking the running minimum. */
  readonly pValue: number;
  readonly ci: readonly [number, number];
}

/** Optimizely's mixture likelihood ratio Λ_n and the always-valid CI at one look. */
export function msprt(input: MsprtInput): MsprtResult {
  const { estimate, variance: v, tau2 } = input;
  const alpha = input.alpha ?? 0.05;
  const logLambda = 0.5 * Math.log(v / (v + tau2)) + (estimate * estimate * tau2) / (2 * v * (v + tau2));
  const halfWidth = Math.sqrt(((v * (v + tau2)) / tau2) * (Math.log((v + tau2) / v) - 2 * Math.log(alpha)));
  return {
    lambda: Math.exp(logLambda),
    pValue: Math.min(1, Math.exp(-logLambda)),
    ci: [estimate - halfWidth, estimate + halfWidth],
  };
}

/**
 * Always-valid p-values over a sequence of looks: p_n = min(1, p_{n−1}, 1/Λ_n). The running
 * minimum is what keeps the guarantee under continuous monitoring.
 */
export function alwaysValidPValues(looks: readonly MsprtInput[]): number[] {
  const out: number[] = [];
  let running = 1;
  for (const look of looks) {
    running = Math.min(running, msprt(look).pValue);
    out.push(running);
  }
  return out;
}

/** Tracks the running-minimum always-valid p-value across looks of one experiment. */
export class AlwaysValidPValue {
  private current = 1;

  /** Records one look's p-value and returns the always-valid p so far. */
  observe(pValue: number): number {
    this.current = Math.min(this.current, pValue);
    return this.current;
  }

  get value(): number {
    return this.current;
  }
}
