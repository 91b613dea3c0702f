import assert from 'node:assert/strict';
import { emptyLifecycle, stepLifecycle } from '../../../daemon/analysis/anomalyLifecycle';
import type { Anomaly } from '../../../daemon/analysis/anomalyDetectors';

const anomaly = (over: Partial<Anomaly> = {}): Anomaly => ({
  kind: 'point_spike', severity: 'warning', seriesKey: 's1', metric: 'latency_ms', beganAt: 100,
  evidence: { baseline: 1, current: 5, statistic: 6 }, cause: 'x', ...over,
});

describe('analysis/anomalyLifecycle', () => {
  it('opens once, de-duplicates by (kind, series), resolves after 3 clean evaluations', () => {
    let st = emptyLifecycle();
    let r = stepLifecycle(st, [anomaly(), anomaly()], ['s1'], 1000);
    assert.deepEqual(r.events.map((e) => e.type), ['opened']);
    st = r.state;
    r = stepLifecycle(st, [anomaly()], ['s1'], 2000);
    assert.deepEqual(r.events, [], 'repeat is silent');
    st = r.state;
    r = stepLifecycle(st, [anomaly({ severity: 'critical' })], ['s1'], 3000);
    assert.deepEqual(r.events.map((e) => e.type), ['updated']);
    st = r.state;
    for (const t of [4000, 5000]) { r = stepLifecycle(st, [], ['s1'], t); assert.deepEqual(r.events, []); st = r.state; }
    r = stepLifecycle(st, [], ['s1'], 6000);
    assert.equal(r.events.length, 1);
    assert.equal(r.events[0].type, 'resolved');
    assert.equal(r.events[0].anomaly.peakSeverity, 'critical');
    assert.deepEqual(r.state.open, {});
  });

  it('hysteresis: a blip back to normal does not resolve; gaps (not evaluated) do not age', () => {
    let r = stepLifecycle(emptyLifecycle(), [anomaly()], ['s1'], 1);
    r = stepLifecycle(r.state, [], ['s1'], 2);
    r = stepLifecycle(r.state, [anomaly()], ['s1'], 3);
    assert.deepEqual(r.events.map((e) => e.type), ['updated']);
    for (let t = 4; t < 20; t += 1) r = stepLifecycle(r.state, [], [], t);
    assert.equal(Object.keys(r.state.open).length, 1);
  });

  it('different kinds on one series are separate anomalies; a spike growing into a shift is one', () => {
    const r = stepLifecycle(emptyLifecycle(), [anomaly(), anomaly({ kind: 'error_rate_spike' })], ['s1'], 1);
    assert.equal(r.events.length, 2);
    assert.notEqual(r.events[0].anomaly.id, r.events[1].anomaly.id);
    const grown = stepLifecycle(r.state, [anomaly({ kind: 'sustained_shift' }), anomaly({ kind: 'error_rate_spike' })], ['s1'], 2);
    assert.deepEqual(grown.events.map((e) => [e.type, e.anomaly.kind]), [['updated', 'sustained_shift']]);
    assert.equal(grown.events[0].anomaly.id, r.events[0].anomaly.id);
    assert.equal(Object.keys(grown.state.open).length, 2);
  });
});
