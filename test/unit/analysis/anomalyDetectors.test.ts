import assert from 'node:assert/strict';
import { detectMissingTelemetry, detectRateLimiting, detectRateSpike } from '../../../daemon/analysis/anomalyDetectors';

describe('analysis/anomalyDetectors', () => {
  it('rate spike: Beta-binomial P > 0.99 with ≥ 3 errors in ≥ 10 calls', () => {
    const o = { seriesKey: 'worker=a', metric: 'error rate', kind: 'error_rate_spike' as const, beganAt: 1 };
    const a = detectRateSpike({ failures: 10, total: 1000 }, { failures: 8, total: 40 }, o);
    assert.ok(a);
    assert.equal(a.severity, 'critical');
    assert.ok(a.evidence.statistic > 0.99);
    assert.equal(detectRateSpike({ failures: 10, total: 1000 }, { failures: 2, total: 5 }, o), null, 'minimum counts');
    assert.equal(detectRateSpike({ failures: 100, total: 1000 }, { failures: 5, total: 50 }, o), null, 'same rate');
    assert.equal(detectRateSpike({ failures: 0, total: 0 }, { failures: 0, total: 0 }, o), null);
  });

  it('rate limiting and missing telemetry', () => {
    const o = { seriesKey: 'provider=openai', beganAt: 5 };
    const rl = detectRateLimiting({ failures: 0, total: 500 }, { failures: 12, total: 60 }, o);
    assert.ok(rl);
    assert.equal(rl.kind, 'rate_limiting');
    assert.match(rl.cause, /429/);
    const mt = detectMissingTelemetry({ failures: 0, total: 0 }, { failures: 20, total: 20 }, o);
    assert.ok(mt);
    assert.equal(mt.kind, 'missing_telemetry');
    assert.match(mt.cause, /include_usage/);
    assert.equal(detectMissingTelemetry({ failures: 0, total: 100 }, { failures: 1, total: 20 }, o), null);
  });
});
