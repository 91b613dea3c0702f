// Online choice among a worker's prompt variants from feedback: Thompson-style allocation through the
// proxy's split weights, with REFERENCES part A §4 guards — uniform until every arm has 100 scored
// pulls, a 1% additive floor, weights updated once per cycle (batch), never per call. An update whose
// realised reward is worse than before it is rolled back to the previous weights.
import { banditAllocation, seededNormalSampler, type GaussianArm } from './stats';

export interface BanditArm extends GaussianArm {
  name: string;
  promptVariant: string | null;
}

export interface BanditHistoryPoint {
  cycle: number;
  at: number;
  action: BanditAction;
  weights: number[];
  /** Mean reward of the scored calls since the previous cycle (the learning curve). */
  reward: number | null;
  rewardN: number;
  rewardVariance: number;
}

export type BanditAction = 'burn_in' | 'update' | 'rollback' | 'finish';

export interface BanditStep {
  action: BanditAction;
  weights: number[];
  bestArmProbabilities: number[];
  winner: number | null;
  reason: string;
}

export const FINISH_PROBABILITY = 0.99;

/** The realised reward after the last update is worse than before it by more than two standard errors. */
export function updateBackfired(before: BanditHistoryPoint | undefined, after: { reward: number | null; rewardN: number; rewardVariance: number }): boolean {
  if (!before || before.reward === null || after.reward === null || before.rewardN < 10 || after.rewardN < 10) return false;
  const se = Math.sqrt(before.rewardVariance / before.rewardN + after.rewardVariance / after.rewardN);
  return after.reward < before.reward - 2 * Math.max(se, 1e-9);
}

export function banditStep(
  arms: readonly BanditArm[],
  history: readonly BanditHistoryPoint[],
  sinceLast: { reward: number | null; rewardN: number; rewardVariance: number },
  options: { seed: number; minPullsPerArm?: number; floor?: number },
): BanditStep {
  const last = history.at(-1);
  if (last?.action === 'update') {
    const beforeUpdate = history.at(-2);
    if (updateBackfired(beforeUpdate, sinceLast) && beforeUpdate) {
      return {
        action: 'rollback',
        weights: beforeUpdate.weights,
        bestArmProbabilities: [],
        winner: null,
        reason: `reward after the last update ${sinceLast.reward?.toFixed(3)} is below ${beforeUpdate.reward?.toFixed(3)} before it: previous weights restored`,
      };
    }
  }
  const allocation = banditAllocation(arms, { minPullsPerArm: options.minPullsPerArm ?? 100, floor: options.floor ?? 0.01, sample: seededNormalSampler(options.seed) });
  if (!allocation.adapted) {
    return { action: 'burn_in', weights: allocation.weights, bestArmProbabilities: allocation.bestArmProbabilities, winner: null, reason: allocation.reason ?? 'burn-in' };
  }
  const best = allocation.bestArmProbabilities.indexOf(Math.max(...allocation.bestArmProbabilities));
  if (allocation.bestArmProbabilities[best] >= FINISH_PROBABILITY) {
    return { action: 'finish', weights: allocation.weights, bestArmProbabilities: allocation.bestArmProbabilities, winner: best, reason: `${arms[best].name} is best with probability ${allocation.bestArmProbabilities[best].toFixed(3)}` };
  }
  return { action: 'update', weights: allocation.weights, bestArmProbabilities: allocation.bestArmProbabilities, winner: null, reason: `weights from ${arms.map((a) => a.n).join('/')} scored pulls` };
}
