import assert from 'node:assert/strict';
import { scoreSeries, StreamScorer } from '../../../daemon/analysis/streamScorer';
import { ErrorTail, SURPRISE_AT_HALF, erlangSurprise, paretoShape, scoreToProbability, surpriseToScore } from '../../../daemon/analysis/anomalyLikelihood';
import { AnomalyKind, BaseKind, evaluate, gaussian, makeStream, rng } from './syntheticStreams';

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

  it('maps surprise to a score that never saturates: 0.5 at the alarm probability, distinct at p = 1e-30 and 1e-60', () => {
    assert.equal(surpriseToScore(0), 0);
    assert.equal(surpriseToScore(NaN), 0);
    assert.equal(SURPRISE_AT_HALF, 3);
    assert.ok(Math.abs(surpriseToScore(3) - 0.5) < 1e-12);
    assert.ok(surpriseToScore(30) < surpriseToScore(60) && surpriseToScore(60) < 1);
    assert.ok(Math.abs(scoreToProbability(surpriseToScore(7)) - 1e-7) < 1e-19);
  });

  it('Erlang survival matches the Gamma(k, 1) tail (Fisher combination)', () => {
    // P(Exp(1) > 3) = e^-3; P(Gamma(2,1) > 3) = 4 e^-3; P(Gamma(6,1) > 18) = e^-18 Σ_{j<6} 18^j/j!.
    assert.ok(Math.abs(erlangSurprise(3, 1) - 3 / Math.LN10) < 1e-12);
    assert.ok(Math.abs(erlangSurprise(3, 2) + Math.log10(4 * Math.exp(-3))) < 1e-12);
    const p6 = Math.exp(-18) * (1 + 18 + 162 + 972 + 4374 + 15746.4);
    assert.ok(Math.abs(erlangSurprise(18, 6) + Math.log10(p6)) < 1e-9);
  });

  it('generalised Pareto shape from the 90/97/99th percentiles: 0 for exponential, 0.5 for a Student-t(2)-like tail', () => {
    // Exponential: (q99 − q90)/(q97 − q90) = ln 10 / ln(10/3). GPD ξ = 0.5: (√10 − 1)/(√(10/3) − 1).
    assert.equal(paretoShape(Math.LN10 / Math.log(10 / 3)), 0);
    assert.ok(Math.abs(paretoShape((Math.sqrt(10) - 1) / (Math.sqrt(10 / 3) - 1)) - 0.5) < 1e-6);
    assert.equal(paretoShape(1.5), 0);
    assert.equal(paretoShape(10), 1);
  });

  it('tail probabilities are calibrated on the errors they learned: Laplace and Gaussian', () => {
    for (const draw of ['laplace', 'gaussian'] as const) {
      const u = rng(draw === 'laplace' ? 3 : 4);
      const g = gaussian(u);
      const tail = new ErrorTail();
      let hits = 0;
      const n = 200_000;
      for (let i = 0; i < n; i += 1) {
        const x = draw === 'laplace' ? -Math.log(1 - u()) : Math.abs(g()) / 0.7979;
        if (i > 2000 && tail.surprise(x) >= 3) hits += 1;
        tail.add(x);
      }
      const rate = hits / (n - 2000);
      // p ≤ 1e-3 should happen about 1e-3 of the time (a Gaussian's tail is lighter than the
      // exponential we never go below, so it alarms less).
      assert.ok(rate > 2e-4 && rate < 3e-3, `${draw}: ${rate}`);
    }
  });

  it('null streams: at most one false alarm event per 1,000 points on every base process', () => {
    for (const b of ALL) {
      const t = tally([b], null, 8);
      assert.ok(falsePer1000(t) <= 1, `${b}: ${falsePer1000(t).toFixed(2)} false alarms / 1000`);
    }
  });

  it('spikes and dips: recall ≥ 0.95, precision ≥ 0.7, flagged on the first anomalous point', () => {
    for (const kind of ['spike', 'dip'] as AnomalyKind[]) {
      const t = tally(ALL, kind, 6);
      assert.ok(recall(t) >= 0.95, `${kind} recall ${recall(t)}`);
      assert.ok(precision(t) >= 0.7, `${kind} precision ${precision(t)}`);
      assert.equal(median(t.delays), 0);
    }
  });

  it('level shifts (4σ) on series without a season: recall ≥ 0.8 within a few points, then it adapts', () => {
    const bases: BaseKind[] = ['gaussian', 'lognormal', 'ar1', 'flatCpu'];
    const t = tally(bases, 'levelShift', 6);
    assert.ok(recall(t) >= 0.8, `recall ${recall(t)}`);
    assert.ok(median(t.delays) <= 4, `median delay ${median(t.delays)}`);
    // Adapts: after the first 100 points of the new level, no more alarms than on a null stream.
    for (const b of bases) for (let seed = 1; seed <= 4; seed += 1) {
      const st = makeStream(b, 'levelShift', seed * 31);
      const sc = scoreSeries(st.values, st.timestamps);
      const after = sc.slice(st.incidents[0].start + 100);
      const alarms = after.filter((x, i) => x >= 0.5 && (i === 0 || after[i - 1] < 0.5)).length;
      assert.ok(alarms <= 1 + after.length / 1000, `${b}/${seed}: ${alarms} alarms after adapting`);
    }
  });

  it('a large level shift (8σ) on a seasonal series is found at once', () => {
    let found = 0;
    for (let seed = 1; seed <= 6; seed += 1) {
      const st = makeStream('seasonal', null, seed);
      const at = 2600;
      const v = st.values.map((x, i) => (i >= at ? x + 12 : x));
      const sc = scoreSeries(v, st.timestamps);
      if (sc.slice(at, at + 5).some((x) => x >= 0.5)) found += 1;
    }
    assert.ok(found >= 5, `${found}/6`);
  });

  it('steady trends are not anomalies; a sharp change of slope is', () => {
    const u = rng(9);
    const g = gaussian(u);
    const trend = Array.from({ length: 5000 }, (_, i) => 100 + 0.05 * i + 2 * g());
    const sc = scoreSeries(trend);
    const events = sc.filter((x, i) => x >= 0.5 && (i === 0 || sc[i - 1] < 0.5)).length;
    assert.ok(events <= 5, `${events} alarms on a steady trend`);
    const bend = trend.map((x, i) => (i >= 4000 ? x + 1.5 * (i - 4000) : x));
    const sb = scoreSeries(bend);
    assert.ok(sb.slice(4000, 4020).some((x) => x >= 0.5), 'slope change not found');
  });

  it('variance tripling: recall ≥ 0.95, median delay ≤ 10 points', () => {
    const t = tally(ALL, 'varianceChange', 6);
    assert.ok(recall(t) >= 0.95, `recall ${recall(t)}`);
    assert.ok(median(t.delays) <= 10, `median delay ${median(t.delays)}`);
  });

  it('seasonal break (normal-looking value at the wrong phase) is found, with and without timestamps', () => {
    const withTs = tally(['seasonal'], 'seasonalBreak', 8);
    assert.ok(recall(withTs) >= 0.8, `recall ${recall(withTs)}`);
    assert.ok(precision(withTs) >= 0.85, `precision ${precision(withTs)}`);
    const noTs = tally(['seasonal'], 'seasonalBreak', 8, false);
    assert.ok(recall(noTs) >= 0.8, `recall without timestamps ${recall(noTs)}`);
    assert.ok(falsePer1000(noTs) <= 1, `false alarms without timestamps ${falsePer1000(noTs)}`);
  });

  it('missing points keep the season in phase (timestamps on a grid with holes)', () => {
    const u = rng(5);
    let breaks = 0;
    let falseAlarms = 0;
    for (let seed = 1; seed <= 6; seed += 1) {
      const st = makeStream('seasonal', 'seasonalBreak', seed * 13);
      // Drop 15% of the points, and a whole half-day once.
      const keep = st.values.map((_, i) => u() > 0.15 && !(i >= 1500 && i < 1644));
      const v = st.values.filter((_, i) => keep[i]);
      const t = st.timestamps.filter((_, i) => keep[i]);
      const sc = scoreSeries(v, t);
      const idx = st.values.map((_, i) => i).filter((i) => keep[i]);
      for (const inc of st.incidents) if (idx.some((i, k) => i >= inc.start && i < inc.end + 5 && sc[k] >= 0.5)) breaks += 1;
      sc.forEach((x, k) => { if (x >= 0.5 && (k === 0 || sc[k - 1] < 0.5) && !st.incidents.some((inc) => idx[k] >= inc.start && idx[k] < inc.end + 60)) falseAlarms += 1; });
    }
    assert.ok(breaks >= 14, `${breaks}/18 seasonal breaks found with holes`);
    assert.ok(falseAlarms <= 6, `${falseAlarms} false alarms in ~20,000 points`);
  });

  it('irregular timestamps (call times): no alarm storm, spikes found', () => {
    const u = rng(21);
    const g = gaussian(u);
    let t = 0;
    const ts: number[] = [];
    const v: number[] = [];
    for (let i = 0; i < 4000; i += 1) {
      t += -Math.log(1 - u()) * 7000;
      ts.push(t);
      v.push(Math.exp(6 + 0.3 * g()) * (i === 3000 ? 8 : 1));
    }
    const sc = scoreSeries(v, ts);
    assert.ok(sc[3000] >= 0.5, String(sc[3000]));
    const events = sc.filter((x, i) => x >= 0.5 && (i === 0 || sc[i - 1] < 0.5)).length;
    assert.ok(events <= 5, `${events} alarm events`);
  });

  it('small integer counts: Poisson(2) raises no storm; a burst of 15 is found', () => {
    const u = rng(8);
    const pois = (l: number) => { const L = Math.exp(-l); let k = 0; let p = 1; do { k += 1; p *= u(); } while (p > L); return k - 1; };
    const v = Array.from({ length: 5000 }, (_, i) => (i === 4000 ? 15 : pois(2)));
    const sc = scoreSeries(v);
    assert.ok(sc[4000] >= 0.5, String(sc[4000]));
    const events = sc.filter((x, i) => i !== 4000 && x >= 0.5 && (i === 0 || sc[i - 1] < 0.5)).length;
    assert.ok(events <= 5, `${events} false alarm events`);
  });

  it('long flat stretches: the end of a flat stretch alarms once, then the noise is learned', () => {
    const u = rng(12);
    const g = gaussian(u);
    const v = Array.from({ length: 6000 }, (_, i) => (i >= 1000 && i < 3000 ? 50 : 50 + g()));
    const sc = scoreSeries(v);
    const events = sc.filter((x, i) => x >= 0.5 && (i === 0 || sc[i - 1] < 0.5));
    assert.ok(events.length >= 1 && events.length <= 6, `${events.length} alarm events`);
    assert.ok(sc.slice(3300).filter((x) => x >= 0.5).length <= 3, 'still alarming long after the flat stretch');
  });

  it('heavy tails: Student-t(3) noise stays within the false-alarm budget', () => {
    const u = rng(14);
    const g = gaussian(u);
    const t3 = () => { const z = g(); const c = g() ** 2 + g() ** 2 + g() ** 2; return z / Math.sqrt(c / 3); };
    const v = Array.from({ length: 20000 }, () => 100 + 3 * t3());
    const sc = scoreSeries(v);
    const events = sc.filter((x, i) => x >= 0.5 && (i === 0 || sc[i - 1] < 0.5)).length;
    assert.ok(events <= 20, `${events} alarm events in 20,000 points`);
  });

  it('scores are full precision: no ties among alarm-level scores', () => {
    const st = makeStream('gaussian', 'spike', 3, 20000, 40);
    const sc = scoreSeries(st.values, st.timestamps).filter((x) => x >= 0.5);
    assert.ok(sc.length >= 30, `${sc.length} alarms`);
    assert.equal(new Set(sc).size, sc.length);
    assert.ok(sc.every((x) => x < 1));
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
    assert.ok(scoreSeries(stepped)[200] >= 0.5);
    const huge = scoreSeries(Array.from({ length: 300 }, (_, i) => 1e12 + (i % 5) * 1e9));
    assert.ok(huge.every((x) => Number.isFinite(x)));
  });

  it('sees a spike riding on a slow cycle before two seasons of history exist (local view)', () => {
    const g = (i: number) => Math.sin(i * 12.9898) * 0.5; // deterministic small noise
    const v = Array.from({ length: 600 }, (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + g(i) + (i === 500 ? 40 : 0));
    const scores = scoreSeries(v);
    assert.ok(scores[500] >= 0.5, String(scores[500]));
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
    assert.ok(sc.update(50) >= 0.5);
    assert.ok(sc.explain().pointSurprise > SURPRISE_AT_HALF);
    assert.ok(Math.abs(sc.explain().prediction - 10.2) < 0.2, String(sc.explain().prediction));
    assert.ok(sc.explain().z > 0);
  });
});
