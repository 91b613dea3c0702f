// Units per arm needed to detect an effect with a fixed-horizon two-sided test; used to size
// replays and to set the sequential tuning N* to a realistic experiment length.

import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

export interface SampleSizeResult {
  /** Unrounded n per arm from the formula. */
  readonly exact: number;
  /** Whole units per arm (rounded up). */
  readonly perArm: number;
}

function zSum(alpha: number, power: number): number {
  return normalQuantile(1 - alpha / 2, 0, 1) + normalQuantile(power, 0, 1);
}

function result(exact: number): SampleSizeResult {
  return { exact, perArm: Math.ceil(exact) };
}

/** n/arm = (z_{1−α/2} + z_power)²·(p₁q₁ + p₂q₂)/(p₂ − p₁)². */
export function sampleSizeTwoProportions(p1: number, p2: number, alpha = 0.05, power = 0.8): SampleSizeResult {
  const delta = p2 - p1;
  if (delta === 0) return { exact: Infinity, perArm: Infinity };
  return result((zSum(alpha, power) ** 2 * (p1 * (1 - p1) + p2 * (1 - p2))) / (delta * delta));
}

/** n/arm = 2(z_{1−α/2} + z_power)²·σ²/δ² for two means with common σ. */
export function sampleSizeTwoMeans(sigma: number, delta: number, alpha = 0.05, power = 0.8): SampleSizeResult {
  if (delta === 0) return { exact: Infinity, perArm: Infinity };
  return result((2 * zSum(alpha, power) ** 2 * sigma * sigma) / (delta * delta));
}

/** Pairs needed for a paired design where the per-pair difference has standard deviation σ_d. */
export function sampleSizePaired(sigmaDifference: number, delta: number, alpha = 0.05, power = 0.8): SampleSizeResult {
  if (delta === 0) return { exact: Infinity, perArm: Infinity };
  return result((zSum(alpha, power) ** 2 * sigmaDifference ** 2) / (delta * delta));
}
