// Golden cases from Netflix concurrency-limits (REFERENCES A 3.1), rebuilt with the same samples.
import assert from 'node:assert/strict';
import { AdaptiveLimit, AimdLimit, Gradient2Limit } from '../../../daemon/proxy/adaptiveLimit';

describe('AIMD limit (AIMDLimitTest golden cases)', () => {
  it('starts at the initial limit with the documented defaults', () => {
    const limit = new AimdLimit({ initial: 10, min: 1 });
    assert.equal(limit.limit, 10);
    assert.deepEqual(new AimdLimit().options, { initial: 20, min: 20, max: 200, backoffRatio: 0.9, timeoutMs: 5000 });
  });

  it('initial 20, success sample (rtt 1 ms, inflight 10) → 21', () => {
    const limit = new AimdLimit({ initial: 20 });
    assert.equal(limit.onSample({ rttMs: 1, inflight: 10, didDrop: false }), 21);
  });

  it('initial 30, drop → 27', () => {
    const limit = new AimdLimit({ initial: 30 });
    assert.equal(limit.onSample({ rttMs: 1, inflight: 10, didDrop: true }), 27);
  });

  it('initial 21 with max 21, success → stays 21', () => {
    const limit = new AimdLimit({ initial: 21, max: 21 });
    assert.equal(limit.onSample({ rttMs: 1, inflight: 15, didDrop: false }), 21);
  });

  it('a sample slower than the timeout counts as a drop; app-limited successes do not grow the limit', () => {
    const limit = new AimdLimit({ initial: 30, timeoutMs: 5000 });
    assert.equal(limit.onSample({ rttMs: 5001, inflight: 20, didDrop: false }), 27);
    assert.equal(limit.onSample({ rttMs: 10, inflight: 5, didDrop: false }), 27);
    assert.equal(limit.onSample({ rttMs: 10, inflight: 14, didDrop: false }), 28);
  });

  it('never leaves [min, max] and refuses a backoff ratio outside [0.5, 1)', () => {
    const limit = new AimdLimit({ initial: 21, min: 20 });
    assert.equal(limit.onSample({ rttMs: 1, inflight: 1, didDrop: true }), 20);
    assert.throws(() => new AimdLimit({ backoffRatio: 1 }), RangeError);
    assert.throws(() => new AimdLimit({ backoffRatio: 0.4 }), RangeError);
  });
});

describe('Gradient2 limit', () => {
  it('grows by about queueSize·smoothing per sample while latency is steady', () => {
    const limit = new Gradient2Limit({ initial: 20, min: 1, max: 200 });
    // gradient = clamp(1.5·longRtt/shortRtt) = 1 → new = 20 + 4, smoothed 20·0.8 + 24·0.2 = 20.8
    assert.ok(Math.abs(limit.onSample(100, 20) - 20.8) < 1e-9);
    assert.ok(Math.abs(limit.onSample(100, 20) - 21.6) < 1e-9);
  });

  it('shrinks when the recent latency rises well above the long-run latency', () => {
    const limit = new Gradient2Limit({ initial: 50, min: 1, max: 200 });
    for (let i = 0; i < 10; i++) limit.onSample(100, 50);
    const before = limit.limit;
    // shortRtt 400 vs longRtt ≈ 100: gradient clamps to 0.5 → new = 0.5·L + 4, smoothed.
    const after = limit.onSample(400, 50);
    assert.ok(after < before, `${after} < ${before}`);
    const expectedLong = limit.longRttMs;
    assert.ok(expectedLong > 100 && expectedLong < 102);
    assert.ok(Math.abs(after - (before * 0.8 + (before * 0.5 + 4) * 0.2)) < 1e-9);
  });

  it('does not change while the application uses less than half the limit', () => {
    const limit = new Gradient2Limit({ initial: 40, min: 1 });
    assert.equal(limit.onSample(100, 10), 40);
  });
});

describe('adaptive limit of the proxy', () => {
  it('halves on a 429, takes 10% off on a timeout, ignores other errors', () => {
    const limit = new AdaptiveLimit({ initial: 40, min: 1, max: 100 });
    assert.equal(limit.onSample('rate_limited', 100, 40), 20);
    assert.equal(limit.onSample('timeout', 100, 20), 18);
    assert.equal(limit.onSample('error', 100, 18), 18);
    assert.equal(limit.onSample('rate_limited', 100, 1), 9);
    for (let i = 0; i < 10; i++) limit.onSample('rate_limited', 100, 1);
    assert.equal(limit.limit, 1);
  });

  it('grows under steady latency while busy, stops growing when latency climbs', () => {
    const limit = new AdaptiveLimit({ initial: 10, min: 1, max: 100 });
    for (let i = 0; i < 30; i++) limit.onSample('success', 100, limit.limit);
    const grown = limit.limit;
    assert.ok(grown >= 20 && grown <= 40, `grown to ${grown}`);
    for (let i = 0; i < 10; i++) limit.onSample('success', 1000, limit.limit);
    assert.ok(limit.limit < grown, `latency rise brought ${grown} down to ${limit.limit}`);
  });

  it('does not grow when the client sends little traffic', () => {
    const limit = new AdaptiveLimit({ initial: 10, min: 1, max: 100 });
    for (let i = 0; i < 50; i++) limit.onSample('success', 100, 1);
    assert.equal(limit.limit, 10);
  });
});
