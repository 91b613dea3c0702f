import assert from 'node:assert/strict';
import { emptyLifecycle, stepLifecycle, type LifecycleEvent } from '../../../daemon/analysis/anomalyLifecycle';
import { detectStreamAnomaly, episodesOf, scoreDirectional } from '../../../daemon/analysis/streamAnomaly';
import { gaussian, rng } from './syntheticStreams';

/** Latencies of a worker: lognormal around 300 ms, one call every 5 s. */
function latencies(n: number, seed: number, incident: (i: number) => number = () => 1): Array<{ t: number; value: number }> {
  const g = gaussian(rng(seed));
  return Array.from({ length: n }, (_, i) => ({ t: 1_700_000_000_000 + i * 5000, value: 300 * Math.exp(0.2 * g()) * incident(i) }));
}

function episodes(points: Array<{ t: number; value: number }>) {
  const values = points.map((p) => p.value);
  return episodesOf(values, scoreDirectional(values, points.map((p) => p.t), 'up'), 'up');
}

/** Replays the watch loop: every `step` calls a tick over the last 300, through the lifecycle. */
function replay(points: Array<{ t: number; value: number }>, step = 10): LifecycleEvent[] {
  let state = emptyLifecycle();
  const events: LifecycleEvent[] = [];
  for (let end = step; end <= points.length; end += step) {
    const window = points.slice(Math.max(0, end - 300), end);
    const d = detectStreamAnomaly(window, { seriesKey: 's', metric: 'latency_ms' });
    const r = stepLifecycle(state, d ? [d] : [], ['s'], points[end - 1].t);
    state = r.state;
    events.push(...r.events);
  }
  return events;
}

describe('analysis/streamAnomaly', function () {
  this.timeout(30000);

  it('normal traffic: within the budget of one event per 1,000 calls (15,000 calls, five seeds)', () => {
    let count = 0;
    for (let seed = 1; seed <= 5; seed += 1) count += episodes(latencies(3000, seed)).length;
    assert.ok(count <= 8, `${count} episodes`);
  });

  it('minimum duration: one slow call is no incident; a burst of slow calls is one episode', () => {
    assert.deepEqual(episodes(latencies(600, 3, (i) => (i === 400 ? 6 : 1))), []);
    const burst = episodes(latencies(600, 3, (i) => (i >= 400 && i < 412 ? 6 : 1)));
    assert.equal(burst.length, 1, JSON.stringify(burst));
    assert.ok(burst[0].start >= 400 && burst[0].start <= 402);
    assert.ok(burst[0].end >= 410 && burst[0].end < 420, JSON.stringify(burst[0]));
    assert.equal(burst[0].ongoing, false);
  });

  it('a lasting shift stays one open episode although the scorer adapts; a dip is not an upward anomaly', () => {
    const shifted = episodes(latencies(700, 4, (i) => (i >= 500 ? 3 : 1)));
    assert.equal(shifted.length, 1, JSON.stringify(shifted));
    assert.ok(shifted[0].ongoing && shifted[0].shifted);
    assert.ok(shifted[0].current / shifted[0].baseline > 2.5);
    assert.deepEqual(episodes(latencies(700, 4, (i) => (i >= 500 ? 0.3 : 1))), []);
  });

  it('through the watch ticks and the lifecycle: opens once, stays one event, resolves after recovery', () => {
    const events = replay(latencies(900, 5, (i) => (i >= 400 && i < 520 ? 4 : 1)));
    assert.deepEqual(events.filter((e) => e.type !== 'updated').map((e) => e.type), ['opened', 'resolved'], JSON.stringify(events.map((e) => e.type)));
    const opened = events[0];
    assert.equal(opened.anomaly.beganAt, 1_700_000_000_000 + 400 * 5000);
    const resolved = events.find((e) => e.type === 'resolved');
    assert.ok(resolved && resolved.type === 'resolved' && resolved.resolvedAt > 1_700_000_000_000 + 520 * 5000);
  });

  it('is safe on NaN, single points and empty input', () => {
    const o = { seriesKey: 's', metric: 'latency_ms' };
    assert.equal(detectStreamAnomaly([], o), null);
    assert.equal(detectStreamAnomaly([{ t: 1, value: 5 }], o), null);
    assert.equal(detectStreamAnomaly(Array.from({ length: 40 }, (_, i) => ({ t: i, value: NaN })), o), null);
    const withNaN = latencies(300, 2, (i) => (i >= 296 ? 9 : 1)).map((p, i) => (i % 3 === 0 && i < 290 ? { ...p, value: NaN } : p));
    const a = detectStreamAnomaly(withNaN, o);
    assert.ok(a, 'NaN points are skipped');
    assert.equal(a.beganAt, withNaN[296].t);
  });

  it('cost per output token: a pricier model alarms, longer answers do not', () => {
    const g = gaussian(rng(5));
    const calls = Array.from({ length: 200 }, (_, i) => {
      const out = Math.round(200 * Math.exp(0.5 * g()));
      return { t: i * 1000, cost: out * 1e-6 * Math.exp(0.05 * g()), out };
    });
    const perToken = (cs: typeof calls) => cs.map((c) => ({ t: c.t, value: c.cost / c.out }));
    const o = { seriesKey: 'w', metric: 'cost per output token' };
    const longer = [...calls, ...[0, 1, 2].map((k) => ({ t: (200 + k) * 1000, cost: 5000 * 1e-6, out: 5000 }))];
    assert.equal(detectStreamAnomaly(perToken(longer), o), null);
    const pricier = [...calls, ...[0, 1, 2].map((k) => ({ t: (200 + k) * 1000, cost: 200 * 1e-5, out: 200 }))];
    const a = detectStreamAnomaly(perToken(pricier), o);
    assert.ok(a);
    assert.ok(a.evidence.current / a.evidence.baseline > 5);
  });
});
