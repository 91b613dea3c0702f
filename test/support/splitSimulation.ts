// The live-split design as the daemon runs it, simulated with numbers only (no store): the A/A
// false-ship rate the unit tests bound and `npm run bench` reports.
import { seededRandom } from '../../daemon/demo/simulatedProvider';
import { decideLiveSplit } from '../../daemon/optimize/stats/liveSplitDecision';
import { MAX_UNITS_PER_ARM, splitDesign } from '../../daemon/optimize/stats/splitDesign';

/**
 * A/A false-ship rate of the live-split design as the daemon runs it: identical arms (log-normal cost
 * with a heavy tail, noisy 0–1 quality), a look every 10 units per arm up to the bound.
 */
export function liveSplitAaRate(experiments = 1000, seed = 77): { rate: number; shipped: number; experiments: number } {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
  const design = splitDesign(0.3, 0.02);
  let shipped = 0;
  for (let e = 0; e < experiments; e++) {
    const arm = () =>
      Array.from({ length: MAX_UNITS_PER_ARM }, () => ({
        cost: 0.001 * Math.exp(0.4 * normal()) * (random() < 0.05 ? 40 : 1),
        latencyMs: 50 * Math.exp(0.3 * normal()),
        quality: Math.min(1, Math.max(0, 0.7 + 0.3 * normal())),
        success: random() > 0.01,
      }));
    const control = arm();
    const treatment = arm();
    for (let n = 30; n <= MAX_UNITS_PER_ARM; n += 10) {
      const d = decideLiveSplit({ control: control.slice(0, n), treatment: treatment.slice(0, n) }, { maxSamples: MAX_UNITS_PER_ARM, qualityMargin: design.margin, tuningN: 2 * MAX_UNITS_PER_ARM });
      if (d.decision === 'ship') shipped++;
      if (d.decision !== 'continue') break;
    }
  }
  return { rate: shipped / experiments, shipped, experiments };
}

