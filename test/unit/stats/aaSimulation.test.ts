// A/A experiments must not ship. Hundreds of seeded experiments where control and treatment
// come from the same distribution, each looked at after every batch of 10 units up to 300 —
// the repeated peeking that would inflate a fixed-horizon test — with the false-ship rate
// asserted at or below 5%. Power: a real 20% cost reduction with equal quality must ship.
import assert from 'node:assert/strict';
import { decidePairedReplay, type ReplayPair } from '../../../daemon/optimize/stats/pairedReplay';
import { decideLiveSplit } from '../../../daemon/optimize/stats/liveSplitDecision';
import type { ExperimentObservation, Verdict } from '../../../daemon/optimize/stats/experimentDecision';
import { ExperimentSimulator, NO_EFFECT, type SimulatedEffect } from './experimentSimulator';

const EXPERIMENTS = 500;
const BATCH = 10;
const MAX_UNITS = 300;

interface Outcome {
  readonly verdict: Verdict;
  readonly units: number;
}

function pairedExperiment(seed: number, effect: SimulatedEffect): Outcome {
  const sim = new ExperimentSimulator(seed, effect);
  const pairs: ReplayPair[] = [];
  while (pairs.length < MAX_UNITS) {
    for (let i = 0; i < BATCH; i++) pairs.push(sim.pair());
    const d = decidePairedReplay(pairs, { maxSamples: MAX_UNITS });
    if (d.decision !== 'continue') return { verdict: d.decision, units: pairs.length };
  }
  return { verdict: 'continue', units: pairs.length };
}

function liveExperiment(seed: number, effect: SimulatedEffect): Outcome {
  const sim = new ExperimentSimulator(seed, effect);
  const control: ExperimentObservation[] = [];
  const treatment: ExperimentObservation[] = [];
  while (control.length < MAX_UNITS) {
    for (let i = 0; i < BATCH; i++) {
      control.push(sim.unit(false));
      treatment.push(sim.unit(true));
    }
    const d = decideLiveSplit({ control, treatment }, { maxSamples: MAX_UNITS });
    if (d.decision !== 'continue') return { verdict: d.decision, units: control.length };
  }
  return { verdict: 'continue', units: control.length };
}

interface Summary {
  readonly shipRate: number;
  readonly ships: number;
  readonly meanUnitsAtShip: number;
}

function simulate(run: (seed: number, effect: SimulatedEffect) => Outcome, effect: SimulatedEffect, seedBase: number): Summary {
  let ships = 0;
  let unitsAtShip = 0;
  for (let k = 0; k < EXPERIMENTS; k++) {
    const outcome = run(seedBase + k * 7919, effect);
    if (outcome.verdict === 'ship') {
      ships++;
      unitsAtShip += outcome.units;
    }
  }
  return { shipRate: ships / EXPERIMENTS, ships, meanUnitsAtShip: ships > 0 ? unitsAtShip / ships : 0 };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

describe('stats/A/A false-ship and power simulation (500 experiments, peeking every 10 units up to 300)', function () {
  this.timeout(120_000);

  it('paired replay A/A: false-ship rate ≤ 5%', function () {
    const s = simulate(pairedExperiment, NO_EFFECT, 1);
    this.test!.title += ` — measured ${pct(s.shipRate)} (${s.ships}/${EXPERIMENTS})`;
    assert.ok(s.shipRate <= 0.05, `false-ship rate ${pct(s.shipRate)}`);
  });

  it('contrast: the fixed-horizon p-value with the same peeking would ship far more A/As', function () {
    let naiveShips = 0;
    for (let k = 0; k < EXPERIMENTS; k++) {
      const sim = new ExperimentSimulator(1 + k * 7919, NO_EFFECT);
      const pairs: ReplayPair[] = [];
      while (pairs.length < MAX_UNITS) {
        for (let i = 0; i < BATCH; i++) pairs.push(sim.pair());
        const cost = decidePairedReplay(pairs).metrics.find((m) => m.metric === 'cost');
        if (pairs.length >= 30 && cost && cost.pValue < 0.05 && cost.relativeEffect < 0) {
          naiveShips++;
          break;
        }
      }
    }
    const rate = naiveShips / EXPERIMENTS;
    this.test!.title += ` — naive rate ${pct(rate)}`;
    assert.ok(rate > 0.05, `naive peeking rate ${pct(rate)}`);
  });

  it('live split A/A: false-ship rate ≤ 5%', function () {
    const s = simulate(liveExperiment, NO_EFFECT, 2);
    this.test!.title += ` — measured ${pct(s.shipRate)} (${s.ships}/${EXPERIMENTS})`;
    assert.ok(s.shipRate <= 0.05, `false-ship rate ${pct(s.shipRate)}`);
  });

  it('paired replay power: a 20% cost reduction with equal quality ships in ≥ 80%', function () {
    const s = simulate(pairedExperiment, { costFactor: 0.8, qualityShift: 0 }, 3);
    this.test!.title += ` — measured ${pct(s.shipRate)}, mean ${s.meanUnitsAtShip.toFixed(0)} pairs at ship`;
    assert.ok(s.shipRate >= 0.8, `power ${pct(s.shipRate)}`);
  });

  it('live split power: a 20% cost reduction with equal quality ships in ≥ 80%', function () {
    const s = simulate(liveExperiment, { costFactor: 0.8, qualityShift: 0 }, 4);
    this.test!.title += ` — measured ${pct(s.shipRate)}, mean ${s.meanUnitsAtShip.toFixed(0)} units/arm at ship`;
    assert.ok(s.shipRate >= 0.8, `power ${pct(s.shipRate)}`);
  });

  it('a cheaper treatment that loses 0.1 quality (margin 0.05) never ships', function () {
    const s = simulate(pairedExperiment, { costFactor: 0.8, qualityShift: -0.1 }, 5);
    this.test!.title += ` — measured ${pct(s.shipRate)}`;
    assert.equal(s.ships, 0);
  });
});
