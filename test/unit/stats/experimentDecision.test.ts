import assert from 'node:assert/strict';
import { decidePairedReplay, type ReplayPair } from '../../../daemon/optimize/stats/pairedReplay';
import { decideLiveSplit } from '../../../daemon/optimize/stats/liveSplitDecision';
import type { ExperimentObservation } from '../../../daemon/optimize/stats/experimentDecision';
import { ExperimentSimulator } from './experimentSimulator';

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

  it('stops as inconclusive at the maximum sample', () => {
    const d = decidePairedReplay(pairs(7, 60, 1), { maxSamples: 60 });
    assert.equal(d.decision, 'reject');
    assert.match(d.reasons[0], /inconclusive after 60/);
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
