import assert from 'node:assert/strict';
import {
  applyWeightFloor,
  banditAllocation,
  bestArmProbabilitiesBeta,
  pickByWeight,
  probabilityBBeatsA,
  probabilityBBeatsANumeric,
  seededBetaSampler,
  seededNormalSampler,
  thompsonBernoulliChoose,
  thompsonGaussianChoose,
  ucb1Choose,
  ucb1Index,
  updateBetaArm,
} from '../../../daemon/optimize/stats/bandit';
import { logGamma } from '../../../daemon/optimize/stats/specialFunctions';

describe('stats/bandit', () => {
  it('UCB1 index golden: x̄ = 0.6, n = 40, t = 100 → 1.0798526', () => {
    assert.ok(Math.abs(ucb1Index(0.6, 40, 100) - 1.0798526) < 1e-7);
  });

  it('UCB1 plays every arm once, then the largest index', () => {
    assert.equal(ucb1Choose([{ n: 3, mean: 0.9 }, { n: 0, mean: 0 }]), 1);
    // A rarely played arm with a slightly lower mean wins on its exploration bonus.
    assert.equal(ucb1Choose([{ n: 500, mean: 0.6 }, { n: 5, mean: 0.5 }]), 1);
    assert.equal(ucb1Choose([{ n: 500, mean: 0.6 }, { n: 500, mean: 0.5 }]), 0);
  });

  it('Evan Miller closed form golden: Beta(101,901) vs Beta(121,881) → 0.923183', () => {
    assert.ok(Math.abs(probabilityBBeatsA(101, 901, 121, 881) - 0.923183) < 1e-6);
    assert.ok(Math.abs(probabilityBBeatsANumeric(101, 901, 121, 881) - 0.923183) < 1e-6);
    // Symmetry: P(A > B) = 1 − P(B > A) for continuous posteriors.
    assert.ok(Math.abs(probabilityBBeatsA(121, 881, 101, 901) - (1 - 0.923183)) < 1e-6);
    // Fractional α_B (fractional rewards) goes through numeric integration, between its neighbours.
    const fractional = probabilityBBeatsA(101, 901, 120.5, 881);
    assert.ok(fractional < probabilityBBeatsA(101, 901, 121, 881) && fractional > probabilityBBeatsA(101, 901, 120, 881));
  });

  it('log-gamma matches factorials', () => {
    assert.ok(Math.abs(logGamma(10) - Math.log(362880)) < 1e-12);
    assert.ok(Math.abs(logGamma(0.5) - 0.5 * Math.log(Math.PI)) < 1e-12);
  });

  it('Monte Carlo best-arm weights approach 0.0768 / 0.9232 with 10,000 seeded draws', () => {
    const w = bestArmProbabilitiesBeta([{ alpha: 101, beta: 901 }, { alpha: 121, beta: 881 }], 10_000, seededBetaSampler(100));
    assert.ok(Math.abs(w[0] - 0.076817) < 0.005, `w0 ${w[0]}`);
    assert.ok(Math.abs(w[1] - 0.923183) < 0.005, `w1 ${w[1]}`);
    // Same seed, same answer.
    assert.deepEqual(bestArmProbabilitiesBeta([{ alpha: 101, beta: 901 }, { alpha: 121, beta: 881 }], 10_000, seededBetaSampler(100)), w);
  });

  it('additive floor p_i = f + (1 − k f) w_i keeps every arm at ≥ f and sums to 1', () => {
    const p = applyWeightFloor([0, 0.25, 0.75], 0.01);
    assert.deepEqual(p.map((x) => Math.round(x * 1e6) / 1e6), [0.01, 0.2525, 0.7375]);
    assert.ok(Math.abs(p.reduce((s, x) => s + x, 0) - 1) < 1e-12);
    assert.throws(() => applyWeightFloor([0.5, 0.5], 0.6), RangeError);
  });

  it('allocation stays uniform until every arm has 100 pulls, then adapts', () => {
    const early = banditAllocation([
      { n: 150, mean: 0.8, variance: 0.04 },
      { n: 99, mean: 0.5, variance: 0.04 },
    ]);
    assert.equal(early.adapted, false);
    assert.deepEqual(early.weights, [0.5, 0.5]);
    assert.match(early.reason ?? '', /at least 100 per variation/);
    const later = banditAllocation([
      { n: 150, mean: 0.8, variance: 0.04 },
      { n: 100, mean: 0.5, variance: 0.04 },
    ]);
    assert.equal(later.adapted, true);
    assert.ok(later.weights[0] > 0.98 && later.weights[1] >= 0.01);
    assert.ok(Math.abs(later.weights[0] + later.weights[1] - 1) < 1e-12);
    // Lower-is-better metrics (cost) flip the preference.
    const cost = banditAllocation(
      [
        { n: 150, mean: 0.8, variance: 0.04 },
        { n: 100, mean: 0.5, variance: 0.04 },
      ],
      { higherIsBetter: false },
    );
    assert.ok(cost.weights[1] > 0.98);
  });

  it('Bernoulli Thompson sampling with fractional rewards concentrates on the better arm', () => {
    const sample = seededBetaSampler(7);
    const uniforms = seededBetaSampler(8);
    const meanReward = [0.4, 0.6];
    let arms = [
      { successes: 0, failures: 0 },
      { successes: 0, failures: 0 },
    ];
    const pulls = [0, 0];
    for (let t = 0; t < 2000; t++) {
      const i = thompsonBernoulliChoose(arms, sample);
      pulls[i] += 1;
      // A fractional reward in [0, 1] around the arm's mean.
      const reward = Math.min(1, Math.max(0, meanReward[i] + (uniforms(1, 1) - 0.5) * 0.4));
      arms = arms.map((a, k) => (k === i ? updateBetaArm(a, reward) : a));
    }
    assert.ok(pulls[1] > 1600, `better arm pulled ${pulls[1]} of 2000`);
    assert.ok(Number.isInteger(arms[1].successes) === false, 'fractional updates accumulate');
  });

  it('Gaussian Thompson explores arms without data first, then prefers the better posterior', () => {
    const sample = seededNormalSampler(3);
    assert.equal(thompsonGaussianChoose([{ n: 50, mean: 1, variance: 1 }, { n: 1, mean: 0, variance: 0 }], sample), 1);
    let wins = 0;
    for (let i = 0; i < 200; i++) {
      if (thompsonGaussianChoose([{ n: 50, mean: 1, variance: 1 }, { n: 50, mean: 0.5, variance: 1 }], sample) === 0) wins++;
    }
    assert.ok(wins > 180, `better arm chosen ${wins}/200`);
  });

  it('pickByWeight maps a uniform number onto the cumulative weights', () => {
    assert.equal(pickByWeight([0.2, 0.3, 0.5], 0.1), 0);
    assert.equal(pickByWeight([0.2, 0.3, 0.5], 0.45), 1);
    assert.equal(pickByWeight([0.2, 0.3, 0.5], 0.999), 2);
  });
});
