// Seeded simulator of LLM-pipeline experiments for the A/A false-ship and power checks:
// per-input cost, latency and quality vary widely (shared by both arms of a pair), each run
// adds its own noise. Treatment can scale cost and shift quality.

import normalFactory from '@stdlib/random-base-normal';
import type { ExperimentObservation } from '../../../daemon/optimize/stats/experimentDecision';
import type { ReplayPair } from '../../../daemon/optimize/stats/pairedReplay';

export interface SimulatedEffect {
  /** Multiplier on treatment cost (1 = A/A). */
  readonly costFactor: number;
  /** Additive shift of treatment quality. */
  readonly qualityShift: number;
}

export const NO_EFFECT: SimulatedEffect = { costFactor: 1, qualityShift: 0 };

interface InputProfile {
  readonly cost: number;
  readonly latencyMs: number;
  readonly quality: number;
}

export class ExperimentSimulator {
  private readonly normal: (mu: number, sigma: number) => number;

  constructor(seed: number, private readonly effect: SimulatedEffect = NO_EFFECT) {
    const sampler = normalFactory.factory({ seed });
    this.normal = (mu, sigma) => sampler(mu, sigma);
  }

  private input(): InputProfile {
    return {
      cost: Math.exp(this.normal(Math.log(0.002), 0.6)),
      latencyMs: Math.exp(this.normal(Math.log(1500), 0.5)),
      quality: this.normal(0.75, 0.12),
    };
  }

  private run(profile: InputProfile, treated: boolean): ExperimentObservation {
    const costFactor = treated ? this.effect.costFactor : 1;
    const qualityShift = treated ? this.effect.qualityShift : 0;
    return {
      cost: profile.cost * costFactor * Math.exp(this.normal(0, 0.15)),
      latencyMs: profile.latencyMs * Math.exp(this.normal(0, 0.3)),
      quality: Math.min(1, Math.max(0, profile.quality + qualityShift + this.normal(0, 0.08))),
      // 95% success: a standard normal below its 95th percentile.
      success: this.normal(0, 1) < 1.6448536,
    };
  }

  /** One replayed input under both arms. */
  pair(): ReplayPair {
    const profile = this.input();
    return { control: this.run(profile, false), treatment: this.run(profile, true) };
  }

  /** One live-traffic unit: a fresh input in the given arm. */
  unit(treated: boolean): ExperimentObservation {
    return this.run(this.input(), treated);
  }
}
