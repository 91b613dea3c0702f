import assert from 'node:assert/strict';
import { decidePairedReplay, type ReplayPair } from '../../../daemon/optimize/stats/pairedReplay';
import { decideLiveSplit } from '../../../daemon/optimize/stats/liveSplitDecision';
import { fixedHorizonMargin, MAX_UNITS_PER_ARM, sequentialMargin, splitDesign } from '../../../daemon/optimize/stats/splitDesign';
import type { ExperimentObservation } from '../../../daemon/optimize/stats/experimentDecision';
import { ExperimentSimulator } from './experimentSimulator';
import { seededRandom } from '../../../daemon/demo/simulatedProvider';
import { liveSplitAaRate } from '../../support/splitSimulation';

function pairs(seed: number, count: number, costFactor: number, qualityShift = 0): ReplayPair[] {
  const sim = new ExperimentSimulator(seed, { costFactor, qualityShift });
  return Array.from({ length: count }, () => sim.pair());
}

function withTreatment(list: ReplayPair[], change: (o: ExperimentObservation, i: number) => ExperimentObservation): ReplayPair[] {
  return list.map((p, i) => ({ control: p.control, treatment: change(p.treatment, i) }));
}

describe('stats/pairedReplay decisions', () => {
  it('continues below the minimum sample even with a large effect', () => {
    const d = decidePairedReplay(pairs(1, 20, 0.5));
    assert.equal(d.decision, 'continue');
    assert.match(d.reasons[0], /20 of the minimum 30/);
  });

  it('ships a real 20% cost reduction with equal quality, with reasons and confidence ≥ 0.95', () => {
    const d = decidePairedReplay(pairs(2, 200, 0.8));
    assert.equal(d.decision, 'ship');
    assert.ok(d.confidence >= 0.95 && d.confidence <= 1, `confidence ${d.confidence}`);
    const cost = d.metrics.find((m) => m.metric === 'cost');
    assert.ok(cost && cost.role === 'primary' && cost.improved);
    assert.ok(cost.relativeEffect > -0.25 && cost.relativeEffect < -0.15, `cost effect ${cost.relativeEffect}`);
    // The anytime-valid interval is wider than the fixed-horizon one and both exclude 0.
    assert.ok(cost.sequentialCi[0] < cost.ci[0] && cost.sequentialCi[1] > cost.ci[1]);
    assert.ok(cost.sequentialCi[1] < 0);
    assert.equal(d.quality.nonInferior, true);
    assert.match(d.reasons.join(' '), /primary improved/);
  });

  it('rejects when quality drops beyond the margin despite cheaper runs', () => {
    const d = decidePairedReplay(pairs(3, 100, 0.8, -0.15));
    assert.equal(d.decision, 'reject');
    assert.match(d.reasons[0], /quality is worse/);
    assert.ok(d.confidence > 0.9);
  });

  it('rejects a significant cost increase', () => {
    const d = decidePairedReplay(pairs(4, 100, 1.3));
    assert.equal(d.decision, 'reject');
    assert.match(d.reasons[0], /primary metric regressed/);
  });

  it('rejects on a guardrail regression (latency doubled) even when cost improves', () => {
    const slow = withTreatment(pairs(5, 100, 0.8), (o) => ({ ...o, latencyMs: o.latencyMs * 2 }));
    const d = decidePairedReplay(slow);
    assert.equal(d.decision, 'reject');
    assert.match(d.reasons[0], /guardrail regressed: latencyMs/);
    const latency = d.metrics.find((m) => m.metric === 'latencyMs');
    assert.ok(latency && latency.adjustedPValue >= latency.sequentialPValue);
  });

  it('rejects when success falls from 95% to ~60%', () => {
    const failing = withTreatment(pairs(6, 200, 0.8), (o, i) => ({ ...o, success: o.success && i % 3 !== 0 }));
    const d = decidePairedReplay(failing);
    assert.equal(d.decision, 'reject');
    assert.match(d.reasons.join(' '), /success/);
  });

  it('stops at the maximum sample: "no difference worth having" when quality held, "inconclusive" when it was not shown', () => {
    const d = decidePairedReplay(pairs(7, 60, 1), { maxSamples: 60 });
    assert.equal(d.decision, 'reject');
    assert.equal(d.quality.nonInferior, true);
    assert.match(d.reasons[0], /stopped after 60 samples \(the maximum\): no difference worth having/);
    const noisy = decidePairedReplay(withTreatment(pairs(7, 60, 1), (o, i) => ({ ...o, quality: i % 2 === 0 ? 1 : 0 })), { maxSamples: 60, qualityMargin: 0.01 });
    assert.equal(noisy.decision, 'reject');
    assert.match(noisy.reasons.join(' '), /inconclusive after 60|quality is worse/);
  });

  it('latency can be the primary metric', () => {
    const fast = withTreatment(pairs(8, 100, 1), (o) => ({ ...o, latencyMs: o.latencyMs * 0.6 }));
    const d = decidePairedReplay(fast, { primaryMetric: 'latencyMs' });
    assert.equal(d.decision, 'ship');
    assert.equal(d.metrics.find((m) => m.role === 'primary')?.metric, 'latencyMs');
  });
});

describe('stats/liveSplitDecision', () => {
  function arms(seed: number, nControl: number, nTreatment: number, costFactor: number): { control: ExperimentObservation[]; treatment: ExperimentObservation[] } {
    const sim = new ExperimentSimulator(seed, { costFactor, qualityShift: 0 });
    return {
      control: Array.from({ length: nControl }, () => sim.unit(false)),
      treatment: Array.from({ length: nTreatment }, () => sim.unit(true)),
    };
  }

  it('checks the sample ratio first: a broken split is rejected even with a strong effect', () => {
    const d = decideLiveSplit(arms(10, 400, 300, 0.5));
    assert.equal(d.decision, 'reject');
    assert.match(d.reasons[0], /sample ratio mismatch/);
    assert.ok(d.srm?.mismatch);
  });

  it('accepts the same counts when they match the assigned weights', () => {
    const d = decideLiveSplit({ ...arms(10, 400, 300, 0.5), weights: [4, 3] }, { maxSamples: 400 });
    assert.equal(d.srm?.mismatch, false);
    assert.equal(d.decision, 'ship');
  });

  it('ships a halved cost with equal quality on a balanced split', () => {
    const d = decideLiveSplit(arms(11, 250, 250, 0.5));
    assert.equal(d.decision, 'ship');
    assert.ok(d.confidence >= 0.95);
  });
});

describe('stats/splitDesign: a bounded live split and a margin it can show', () => {
  it('the fixed-horizon margin inverts the sample-size formula (REFERENCES 1.1: σ = 1, δ = 0.1 → 1569.78 per arm)', () => {
    // Two-sided α = 0.05 there is one-sided 0.025 here.
    assert.ok(Math.abs(fixedHorizonMargin(1, 1569.78, 0.025) - 0.1) < 1e-6);
  });

  it('the anytime-valid margin is wider than the fixed one, scales with σ, and the policy margin is its floor', () => {
    const seq = sequentialMargin(1, MAX_UNITS_PER_ARM, 0.05);
    assert.ok(seq > fixedHorizonMargin(1, MAX_UNITS_PER_ARM, 0.05));
    assert.ok(Math.abs(sequentialMargin(0.3, MAX_UNITS_PER_ARM, 0.05) - 0.3 * seq) < 1e-12);
    assert.ok(seq > 0.38 && seq < 0.46, `${seq}`);
    assert.equal(splitDesign(0.3, 0.02).margin, 0.3 * seq);
    assert.equal(splitDesign(0.01, 0.02).margin, 0.02);
    assert.equal(splitDesign(0, 0.02).margin, 0.02);
  });

  it('with that margin, equal arms end within the bound as non-inferior in ≥ 75% of simulated splits; an arm 1σ worse is always rejected, mostly by 80 units', () => {
    const random = seededRandom(11);
    const sigma = 0.3;
    const design = splitDesign(sigma, 0.02);
    let shipped = 0;
    let stoppedEarly = 0;
    let rejected = 0;
    const runs = 200;
    for (let r = 0; r < runs; r++) {
      const arm = (mean: number, cost: number) => Array.from({ length: MAX_UNITS_PER_ARM }, () => ({ cost: cost * (0.8 + 0.4 * random()), latencyMs: 100, quality: mean + sigma * normal(random), success: true }));
      const control = arm(0.7, 0.01);
      const same = arm(0.7, 0.002);
      const final = decideLiveSplit({ control, treatment: same }, { maxSamples: MAX_UNITS_PER_ARM, qualityMargin: design.margin, tuningN: 2 * MAX_UNITS_PER_ARM });
      if (final.decision === 'ship') shipped++;
      const worse = arm(0.7 - sigma, 0.002);
      for (let n = 30; n <= MAX_UNITS_PER_ARM; n += 10) {
        const d = decideLiveSplit({ control: control.slice(0, n), treatment: worse.slice(0, n) }, { maxSamples: MAX_UNITS_PER_ARM, qualityMargin: design.margin, tuningN: 2 * MAX_UNITS_PER_ARM });
        if (d.decision === 'reject') {
          rejected++;
          if (n <= 80) stoppedEarly++;
          break;
        }
      }
    }
    assert.ok(shipped / runs >= 0.75, `non-inferior within the bound in ${shipped}/${runs}`);
    assert.ok(stoppedEarly / runs >= 0.8, `1σ-worse arm stopped by 80 units in ${stoppedEarly}/${runs}`);
    assert.equal(rejected, runs, 'a 1σ-worse arm never ships nor runs past the bound');
  });
});

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
}

describe('stats/splitDesign: A/A', () => {
  it('identical arms (heavy-tailed cost, noisy quality) looked at every 10 units up to the bound ship at most 5% of the time', () => {
    const aa = liveSplitAaRate(300, 23);
    assert.ok(aa.rate <= 0.05, `A/A false-ship rate ${aa.shipped}/${aa.experiments}`);
  });
});
