// Online choice among variants (REFERENCES part A §4): Thompson sampling (Bernoulli with
// fractional rewards, Gaussian), UCB1, Evan Miller's closed-form P(B > A), and GrowthBook-style
// allocation weights: Monte Carlo best-arm probabilities with a seeded RNG, an additive floor,
// and uniform allocation until every arm has enough pulls. Kept apart from hypothesis tests:
// adaptive allocation biases naive t-tests.

import betaFactory from '@stdlib/random-base-beta';
import normalFactory from '@stdlib/random-base-normal';
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import { betaPdf, logBeta } from './specialFunctions';

export type BetaSampler = (alpha: number, beta: number) => number;
export type NormalSampler = (mu: number, sigma: number) => number;

export const DEFAULT_BANDIT_SEED = 100;
export const DEFAULT_MIN_PULLS_PER_ARM = 100;
export const DEFAULT_WEIGHT_FLOOR = 0.01;
export const DEFAULT_MONTE_CARLO_DRAWS = 10_000;

export function seededBetaSampler(seed: number = DEFAULT_BANDIT_SEED): BetaSampler {
  const sampler = betaFactory.factory({ seed });
  return (alpha, beta) => sampler(alpha, beta);
}

export function seededNormalSampler(seed: number = DEFAULT_BANDIT_SEED): NormalSampler {
  const sampler = normalFactory.factory({ seed });
  return (mu, sigma) => sampler(mu, sigma);
}

/** Beta posterior counts; fractional values come from rewards in [0, 1]. */
export interface BetaArm {
  readonly successes: number;
  readonly failures: number;
}

export interface BetaPrior {
  readonly alpha: number;
  readonly beta: number;
}

const UNIFORM_PRIOR: BetaPrior = { alpha: 1, beta: 1 };

/** Adds one reward in [0, 1] as a fractional success (r) and failure (1 − r). */
export function updateBetaArm(arm: BetaArm, reward: number): BetaArm {
  const r = Math.min(1, Math.max(0, reward));
  return { successes: arm.successes + r, failures: arm.failures + (1 - r) };
}

function argBest(values: readonly number[], higherIsBetter: boolean): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) {
    if (higherIsBetter ? values[i] > values[best] : values[i] < values[best]) best = i;
  }
  return best;
}

/** One Bernoulli Thompson step: draw from each Beta posterior and pick the arg-max. */
export function thompsonBernoulliChoose(arms: readonly BetaArm[], sample: BetaSampler, prior: BetaPrior = UNIFORM_PRIOR): number {
  if (arms.length === 0) throw new RangeError('no arms');
  return argBest(arms.map((a) => sample(prior.alpha + a.successes, prior.beta + a.failures)), true);
}

/** An arm of a continuous reward: count, mean and per-unit variance. */
export interface GaussianArm {
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
}

export interface GaussianPosteriorOptions {
  /** Proper prior N(mean, variance) on each arm's mean; flat when absent. */
  readonly prior?: { readonly mean: number; readonly variance: number };
}

/** Known-variance posterior of an arm's mean, N(x̄, s²/n), precision-weighted with a prior. */
export function gaussianPosterior(arm: GaussianArm, options: GaussianPosteriorOptions = {}): { mean: number; sd: number } {
  const dataVariance = arm.variance / arm.n;
  if (!options.prior) return { mean: arm.mean, sd: Math.sqrt(dataVariance) };
  const precision = 1 / dataVariance + 1 / options.prior.variance;
  const mean = (arm.mean / dataVariance + options.prior.mean / options.prior.variance) / precision;
  return { mean, sd: Math.sqrt(1 / precision) };
}

/** One Gaussian Thompson step; arms with fewer than two observations are played first. */
export function thompsonGaussianChoose(
  arms: readonly GaussianArm[],
  sample: NormalSampler,
  options: GaussianPosteriorOptions & { readonly higherIsBetter?: boolean } = {},
): number {
  if (arms.length === 0) throw new RangeError('no arms');
  const unexplored = arms.findIndex((a) => a.n < 2 || !(a.variance > 0));
  if (unexplored >= 0) return unexplored;
  const draws = arms.map((a) => {
    const post = gaussianPosterior(a, options);
    return sample(post.mean, post.sd);
  });
  return argBest(draws, options.higherIsBetter ?? true);
}

/** UCB1 index x̄_i + √(2·ln t / n_i). */
export function ucb1Index(mean: number, pulls: number, totalPulls: number): number {
  return mean + Math.sqrt((2 * Math.log(totalPulls)) / pulls);
}

/** UCB1 choice: every arm once first, then the largest index. */
export function ucb1Choose(arms: readonly { readonly n: number; readonly mean: number }[]): number {
  if (arms.length === 0) throw new RangeError('no arms');
  const untried = arms.findIndex((a) => a.n === 0);
  if (untried >= 0) return untried;
  const total = arms.reduce((s, a) => s + a.n, 0);
  return argBest(arms.map((a) => ucb1Index(a.mean, a.n, total)), true);
}

/**
 * P(p_B > p_A) for p_A ~ Beta(αA, βA), p_B ~ Beta(αB, βB). Evan Miller's closed form when αB is
 * an integer; numeric integration of f_B(x)·F_A(x) otherwise (fractional rewards).
 */
export function probabilityBBeatsA(alphaA: number, betaA: number, alphaB: number, betaB: number): number {
  if (Number.isInteger(alphaB) && alphaB <= 100_000) {
    let total = 0;
    const base = logBeta(alphaA, betaA);
    for (let i = 0; i < alphaB; i++) {
      total += Math.exp(logBeta(alphaA + i, betaA + betaB) - Math.log(betaB + i) - logBeta(1 + i, betaB) - base);
    }
    return Math.min(1, Math.max(0, total));
  }
  return probabilityBBeatsANumeric(alphaA, betaA, alphaB, betaB);
}

/** Simpson's rule over B's bulk (±12 sd), where essentially all of its mass lies. */
export function probabilityBBeatsANumeric(alphaA: number, betaA: number, alphaB: number, betaB: number, intervals = 4000): number {
  const meanB = alphaB / (alphaB + betaB);
  const sdB = Math.sqrt((alphaB * betaB) / ((alphaB + betaB) ** 2 * (alphaB + betaB + 1)));
  const lo = Math.max(1e-12, meanB - 12 * sdB);
  const hi = Math.min(1 - 1e-12, meanB + 12 * sdB);
  const h = (hi - lo) / intervals;
  let sum = 0;
  for (let k = 0; k <= intervals; k++) {
    const x = lo + k * h;
    const weight = k === 0 || k === intervals ? 1 : k % 2 === 1 ? 4 : 2;
    sum += weight * betaPdf(x, alphaB, betaB) * betaCdf(x, alphaA, betaA);
  }
  return Math.min(1, Math.max(0, (sum * h) / 3));
}

/** Fraction of joint posterior draws in which each arm is the best. */
export function bestArmProbabilities(drawArms: () => readonly number[], draws: number, higherIsBetter = true): number[] {
  let counts: number[] | undefined;
  for (let d = 0; d < draws; d++) {
    const values = drawArms();
    counts ??= new Array<number>(values.length).fill(0);
    counts[argBest(values, higherIsBetter)] += 1;
  }
  return (counts ?? []).map((c) => c / draws);
}

export function bestArmProbabilitiesBeta(
  arms: readonly BetaPrior[],
  draws = DEFAULT_MONTE_CARLO_DRAWS,
  sample: BetaSampler = seededBetaSampler(),
): number[] {
  return bestArmProbabilities(() => arms.map((a) => sample(a.alpha, a.beta)), draws);
}

export function bestArmProbabilitiesGaussian(
  arms: readonly GaussianArm[],
  options: GaussianPosteriorOptions & { readonly draws?: number; readonly higherIsBetter?: boolean; readonly sample?: NormalSampler } = {},
): number[] {
  const posteriors = arms.map((a) => gaussianPosterior(a, options));
  const sample = options.sample ?? seededNormalSampler();
  return bestArmProbabilities(
    () => posteriors.map((p) => sample(p.mean, p.sd)),
    options.draws ?? DEFAULT_MONTE_CARLO_DRAWS,
    options.higherIsBetter ?? true,
  );
}

/** Additive floor p_i = f + (1 − k·f)·w_i: every arm keeps at least f without clipping bias. */
export function applyWeightFloor(weights: readonly number[], floor = DEFAULT_WEIGHT_FLOOR): number[] {
  const k = weights.length;
  if (k * floor > 1) throw new RangeError('floor too large for the number of arms');
  return weights.map((w) => floor + (1 - k * floor) * w);
}

export interface BanditAllocation {
  /** Traffic share per arm, summing to 1. */
  readonly weights: number[];
  /** Posterior probability that each arm is best (uniform before adapting). */
  readonly bestArmProbabilities: number[];
  /** False while any arm has fewer than the minimum pulls: allocation stays uniform. */
  readonly adapted: boolean;
  readonly reason?: string;
}

export interface BanditAllocationOptions extends GaussianPosteriorOptions {
  readonly minPullsPerArm?: number;
  readonly floor?: number;
  readonly draws?: number;
  readonly higherIsBetter?: boolean;
  readonly sample?: NormalSampler;
}

/** GrowthBook-style allocation on Gaussian arm posteriors. */
export function banditAllocation(arms: readonly GaussianArm[], options: BanditAllocationOptions = {}): BanditAllocation {
  const k = arms.length;
  if (k === 0) throw new RangeError('no arms');
  const uniform = new Array<number>(k).fill(1 / k);
  const minPulls = options.minPullsPerArm ?? DEFAULT_MIN_PULLS_PER_ARM;
  if (arms.some((a) => a.n < minPulls)) {
    return { weights: uniform, bestArmProbabilities: uniform, adapted: false, reason: `total sample size must be at least ${minPulls} per variation` };
  }
  if (arms.some((a) => !(a.variance > 0))) {
    return { weights: uniform, bestArmProbabilities: uniform, adapted: false, reason: 'zero variance in an arm' };
  }
  const best = bestArmProbabilitiesGaussian(arms, options);
  return { weights: applyWeightFloor(best, options.floor ?? DEFAULT_WEIGHT_FLOOR), bestArmProbabilities: best, adapted: true };
}

/** Draws an arm index from allocation weights with a uniform number u in [0, 1). */
export function pickByWeight(weights: readonly number[], u: number): number {
  let cumulative = 0;
  for (let i = 0; i < weights.length; i++) {
    cumulative += weights[i];
    if (u < cumulative) return i;
  }
  return weights.length - 1;
}
