// GrowthBook's Bayesian engine: a Gaussian posterior on the effect (same delta-method estimate
// as the frequentist test), chance to win, credible interval and risk (expected loss) computed
// from truncated-normal means.

import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import type { EffectEstimate } from './effectEstimate';

/** Beyond this many standard deviations the truncated mean uses the Mills-ratio asymptote. */
const MILLS_RATIO_SWITCH = 1e3;

export interface GaussianPrior {
  readonly mean: number;
  readonly variance: number;
}

export interface BayesianResult {
  readonly valid: boolean;
  readonly reason?: string;
  readonly posteriorMean: number;
  readonly posteriorSd: number;
  /** P(effect > 0). */
  readonly chanceToWin: number;
  readonly ci: readonly [number, number];
  /** [expected loss of choosing control, expected loss of choosing treatment]. */
  readonly risk: readonly [number, number];
}

function standardNormalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/**
 * Mean of N(μ, σ²) truncated to (lower, upper); pass ±Infinity for a one-sided truncation.
 * Far in a tail the ratio φ/Φ is 0/0 in floating point, so the asymptote b + σ²/(b − μ) is used.
 */
export function truncatedNormalMean(mu: number, sigma: number, lower: number, upper: number): number {
  const a = (lower - mu) / sigma;
  const b = (upper - mu) / sigma;
  if (upper === Infinity && a >= MILLS_RATIO_SWITCH) return lower + (sigma * sigma) / (lower - mu);
  if (lower === -Infinity && b <= -MILLS_RATIO_SWITCH) return upper + (sigma * sigma) / (upper - mu);
  const pdfA = Number.isFinite(a) ? standardNormalPdf(a) : 0;
  const pdfB = Number.isFinite(b) ? standardNormalPdf(b) : 0;
  // Use the tail that keeps precision: for a > 0 the upper tail mass is Φ(−a) − Φ(−b).
  const mass = a > 0 ? normalCdf(-a, 0, 1) - normalCdf(-b, 0, 1) : normalCdf(b, 0, 1) - normalCdf(a, 0, 1);
  if (!(mass > 0)) {
    // Underflow between ~38σ and the switch: the asymptote is accurate there too.
    return upper === Infinity ? lower + (sigma * sigma) / (lower - mu) : upper + (sigma * sigma) / (upper - mu);
  }
  return mu + (sigma * (pdfA - pdfB)) / mass;
}

export const DEFAULT_BAYESIAN_RESULT: BayesianResult = {
  valid: false,
  posteriorMean: 0,
  posteriorSd: 0,
  chanceToWin: 0.5,
  ci: [0, 0],
  risk: [0, 0],
};

/** Posterior N(mean, sd²) of the effect; flat prior when none is given. */
export function effectPosterior(effect: EffectEstimate, prior?: GaussianPrior): { mean: number; sd: number } {
  if (!prior) return { mean: effect.estimate, sd: Math.sqrt(effect.variance) };
  const precision = 1 / effect.variance + 1 / prior.variance;
  const mean = (effect.estimate / effect.variance + prior.mean / prior.variance) / precision;
  return { mean, sd: Math.sqrt(1 / precision) };
}

/** Risk [choose control, choose treatment] = [E[X·1{X>0}], E[−X·1{X<0}]] for X ~ N(μ, σ²). */
export function effectRisk(mean: number, sd: number): [number, number] {
  const probNegative = normalCdf(0, mean, sd);
  const probPositive = 1 - probNegative;
  const riskControl = probPositive > 0 ? probPositive * truncatedNormalMean(mean, sd, 0, Infinity) : 0;
  const riskTreatment = probNegative > 0 ? -probNegative * truncatedNormalMean(mean, sd, -Infinity, 0) : 0;
  return [riskControl, riskTreatment];
}

export function bayesianEffectTest(effect: EffectEstimate, options: { prior?: GaussianPrior; ciLevel?: number } = {}): BayesianResult {
  if (!effect.valid) return { ...DEFAULT_BAYESIAN_RESULT, reason: effect.reason };
  const { mean, sd } = effectPosterior(effect, options.prior);
  const level = options.ciLevel ?? 0.95;
  const tail = (1 - level) / 2;
  return {
    valid: true,
    posteriorMean: mean,
    posteriorSd: sd,
    chanceToWin: 1 - normalCdf(0, mean, sd),
    ci: [normalQuantile(tail, mean, sd), normalQuantile(1 - tail, mean, sd)],
    risk: effectRisk(mean, sd),
  };
}

/** GrowthBook's rule: a variant wins at chance to win ≥ 0.95 or risk below the win threshold. */
export function bayesianWinner(result: BayesianResult, chanceThreshold = 0.95, riskThreshold = 0.0025): boolean {
  return result.valid && (result.chanceToWin >= chanceThreshold || (result.chanceToWin > 0.5 && result.risk[1] < riskThreshold));
}
