import assert from 'node:assert/strict';
import { evidenceToScore, scoreSeries, StreamScorer } from '../../../daemon/analysis/streamScorer';
import { AnomalyKind, BaseKind, evaluate, makeStream } from './syntheticStreams';

interface Tally { incidents: number; detected: number; delays: number[]; alerts: number; falseAlerts: number; points: number }

function tally(bases: BaseKind[], kind: AnomalyKind | null, seeds: number, useTimestamps = true): Tally {
  const t: Tally = { incidents: 0, detected: 0, delays: [], alerts: 0, falseAlerts: 0, points: 0 };
  for (const b of bases) for (let seed = 1; seed <= seeds; seed += 1) {
    const s = makeStream(b, kind, seed * 101 + bases.indexOf(b));
    const e = evaluate(s, scoreSeries(s.values, useTimestamps ? s.timestamps : undefined));
    t.incidents += e.incidents; t.detected += e.detected; t.delays.push(...e.delays);
    t.alerts += e.alerts; t.falseAlerts += e.falseAlerts; t.points += e.points;
  }
  return t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const recall = (t: Tally) => t.detected / t.incidents;
const precision = (t: Tally) => (t.alerts - t.falseAlerts) / t.alerts;
const falsePer1000 = (t: Tally) => (1000 * t.falseAlerts) / t.points;

const ALL: BaseKind[] = ['gaussian', 'lognormal', 'seasonal', 'poisson', 'ar1', 'flatCpu'];

describe('analysis/streamScorer', function () {
  this.timeout(60000);

  it('maps evidence to [0,1] smoothly with 0.5 at one threshold', () => {
    assert.equal(evidenceToScore(0), 0);
    assert.equal(evidenceToScore(NaN), 0);
    assert.ok(Math.abs(evidenceToScore(1) - 0.5) < 1e-12);
    assert.ok(evidenceToScore(0.5) < 0.05 && evidenceToScore(1.5) > 0.95);
    assert.ok(evidenceToScore(100) <= 1);
  });

  it('null streams: fewer than 0.5 false alarms per 1000 points on every base process', () => {
    for (const b of ALL) {
      const t = tally([b], null, 8);
      assert.ok(falsePer1000(t) < 0.5, `${b}: ${falsePer1000(t).toFixed(2)} false alarms / 1000`);
    }
  });

  it('spikes and dips: recall ≥ 0.9, precision ≥ 0.8, flagged on the first anomalous point', () => {
    for (const kind of ['spike', 'dip'] as AnomalyKind[]) {
      const t = tally(ALL, kind, 6);
      assert.ok(recall(t) >= 0.9, `${kind} recall ${recall(t)}`);
      assert.ok(precision(t) >= 0.8, `${kind} precision ${precision(t)}`);
      assert.equal(median(t.delays), 0);
    }
  });

  it('level shifts: recall ≥ 0.95 within 8 points (median)', () => {
    const t = tally(ALL, 'levelShift', 6);
    assert.ok(recall(t) >= 0.95, `recall ${recall(t)}`);
    assert.ok(median(t.delays) <= 8, `median delay ${median(t.delays)}`);
    assert.ok(precision(t) >= 0.8, `precision ${precision(t)}`);
  });

  it('trend changes (0.05σ per point): recall ≥ 0.85, median delay ≤ 55 points', () => {
    const t = tally(ALL, 'trendChange', 6);
    assert.ok(recall(t) >= 0.85, `recall ${recall(t)}`);
    assert.ok(median(t.delays) <= 55, `median delay ${median(t.delays)}`);
  });

  it('variance tripling: recall ≥ 0.95, median delay ≤ 10 points', () => {
    const t = tally(ALL, 'varianceChange', 6);
    assert.ok(recall(t) >= 0.95, `recall ${recall(t)}`);
    assert.ok(median(t.delays) <= 10, `median delay ${median(t.delays)}`);
  });

  it('seasonal break (normal-looking value at the wrong phase) is found, with and without timestamps', () => {
    const withTs = tally(['seasonal'], 'seasonalBreak', 8);
    assert.ok(recall(withTs) >= 0.85, `recall ${recall(withTs)}`);
    assert.ok(precision(withTs) >= 0.85, `precision ${precision(withTs)}`);
    const noTs = tally(['seasonal'], 'seasonalBreak', 8, false);
    assert.ok(recall(noTs) >= 0.8, `recall without timestamps ${recall(noTs)}`);
    assert.ok(falsePer1000(noTs) < 0.5, `false alarms without timestamps ${falsePer1000(noTs)}`);
  });

  it('is safe on NaN, gaps, constants, single points and empty input', () => {
    assert.deepEqual(scoreSeries([]), []);
    assert.deepEqual(scoreSeries([5]), [0]);
    const constant = scoreSeries(Array(500).fill(3));
    assert.ok(constant.every((s) => s < 0.01));
    const zeros = scoreSeries(Array(500).fill(0));
    assert.ok(zeros.every((s) => s < 0.01));
    const withNaN = Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? NaN : 10 + (i % 3)));
    const s = scoreSeries(withNaN);
    assert.ok(s.every((x) => Number.isFinite(x) && x >= 0 && x <= 1));
    assert.ok(s.filter((_, i) => i % 7 === 0).every((x) => x === 0));
    // A constant series that then moves is an anomaly; flat-with-rounding-noise is not.
    const stepped = [...Array(200).fill(3), 9];
    assert.ok(scoreSeries(stepped)[200] > 0.9);
    const huge = scoreSeries(Array.from({ length: 300 }, (_, i) => 1e12 + (i % 5) * 1e9));
    assert.ok(huge.every((x) => Number.isFinite(x)));
  });

  it('sees a spike riding on a slow cycle before two seasons of history exist (local view)', () => {
    const g = (i: number) => Math.sin(i * 12.9898) * 0.5; // deterministic small noise
    const v = Array.from({ length: 600 }, (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + g(i) + (i === 500 ? 40 : 0));
    const scores = scoreSeries(v);
    assert.ok(scores[500] > 0.9, String(scores[500]));
    assert.ok(Math.max(...scores.slice(300, 500)) < 0.5);
  });

  it('is causal: a prefix scores the same whatever follows', () => {
    const st = makeStream('seasonal', 'spike', 7);
    const all = scoreSeries(st.values, st.timestamps);
    const prefix = scoreSeries(st.values.slice(0, 2500), st.timestamps.slice(0, 2500));
    assert.deepEqual(prefix, all.slice(0, 2500));
  });

  it('explains which detector fired', () => {
    const sc = new StreamScorer();
    for (let i = 0; i < 300; i += 1) sc.update(10 + (i % 5) * 0.1);
    assert.ok(sc.update(50) > 0.9);
    assert.ok(sc.explain().point > 1);
  });
});
