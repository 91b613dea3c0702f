import assert from 'node:assert/strict';
import { detectErrorRateSpike, detectMissingTelemetry, detectQualityDrop, detectRateLimiting } from '../../../daemon/analysis/anomalyDetectors';
import { gaussian, rng } from './syntheticStreams';

describe('analysis/anomalyDetectors', () => {
  it('error-rate spike: Beta-binomial P > 0.99 with ≥ 3 errors in ≥ 10 calls', () => {
    const o = { seriesKey: 'worker=a', metric: 'error rate', beganAt: 1 };
    const a = detectErrorRateSpike({ failures: 10, total: 1000 }, { failures: 8, total: 40 }, o);
    assert.ok(a);
    assert.equal(a.severity, 'critical');
    assert.ok(a.evidence.statistic > 0.99);
    assert.equal(detectErrorRateSpike({ failures: 10, total: 1000 }, { failures: 2, total: 5 }, o), null, 'minimum counts');
    assert.equal(detectErrorRateSpike({ failures: 100, total: 1000 }, { failures: 5, total: 50 }, o), null, 'same rate');
    assert.equal(detectErrorRateSpike({ failures: 0, total: 0 }, { failures: 0, total: 0 }, o), null);
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

  it('quality drop: ≥ 0.05 lower with one-sided p < 0.01', () => {
    const g = gaussian(rng(4));
    const base = Array.from({ length: 60 }, () => Math.min(1, Math.max(0, 0.85 + 0.05 * g())));
    const worse = Array.from({ length: 15 }, () => Math.min(1, Math.max(0, 0.7 + 0.05 * g())));
    const a = detectQualityDrop(base, worse, { seriesKey: 'worker=a', beganAt: 1 });
    assert.ok(a);
    assert.equal(a.kind, 'quality_drop');
    assert.ok(a.evidence.pValue !== undefined && a.evidence.pValue < 0.01);
    assert.equal(detectQualityDrop(base, base.slice(0, 15), { seriesKey: 'x', beganAt: 1 }), null);
    assert.equal(detectQualityDrop(base, [0.1, 0.1], { seriesKey: 'x', beganAt: 1 }), null, 'too few recent');
  });
});
