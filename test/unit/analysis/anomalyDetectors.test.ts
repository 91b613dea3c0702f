import assert from 'node:assert/strict';
import {
  detectCostPerOutputToken, detectErrorRateSpike, detectMissingTelemetry, detectPointAlarm, detectQualityDrop,
  detectRateLimiting, detectSustainedShift, SeriesPoint,
} from '../../../daemon/analysis/anomalyDetectors';
import { gaussian, rng } from './syntheticStreams';

const series = (values: number[]): SeriesPoint[] => values.map((value, i) => ({ t: 1_700_000_000_000 + i * 60_000, value }));
const opts = { seriesKey: 'worker=a|metric=latency_ms', metric: 'latency_ms' };

function lognormalLatency(n: number, seed: number): number[] {
  const g = gaussian(rng(seed));
  return Array.from({ length: n }, () => 800 * Math.exp(0.3 * g()));
}

describe('analysis/anomalyDetectors', () => {
  it('point alarm needs 2 of the last 3 beyond |z| > 3.5 on the log scale, and n ≥ 20', () => {
    const base = lognormalLatency(100, 1);
    assert.equal(detectPointAlarm(series([...base, 900, 850, 870]), opts), null);
    assert.equal(detectPointAlarm(series([...base, 900, 850, 9000]), opts), null, 'a single spike is not persistent');
    const a = detectPointAlarm(series([...base, 9000, 850, 12000]), opts);
    assert.ok(a);
    assert.equal(a.kind, 'point_spike');
    assert.equal(a.beganAt, series([...base, 0, 0, 0])[100].t);
    assert.ok(a.evidence.current > 10 * a.evidence.baseline);
    assert.equal(a.severity, 'critical');
    assert.match(a.cause, /latency_ms is \d+\.\d× its recent median/);
    assert.equal(detectPointAlarm(series([...base.slice(0, 10), 9000, 9000, 9000]), opts), null, 'n < 20');
  });

  it('no alarm storm: ≤ 1 alarm across 300 noisy series × 20 ticks; none on constant series', () => {
    let alarms = 0;
    for (let s = 0; s < 300; s += 1) {
      const v = lognormalLatency(120, 1000 + s);
      for (let tick = 0; tick < 20; tick += 1) if (detectPointAlarm(series(v.slice(0, 100 + tick)), opts)) alarms += 1;
    }
    assert.ok(alarms <= 1, `${alarms} alarms`);
    assert.equal(detectPointAlarm(series(Array(50).fill(500)), opts), null);
    assert.equal(detectPointAlarm(series([...Array(50).fill(500), 505, 503, 502]), opts), null);
    assert.equal(detectSustainedShift(series(Array(100).fill(500)), opts), null);
  });

  it('is safe on NaN, negatives, single points and empty input', () => {
    assert.equal(detectPointAlarm([], opts), null);
    assert.equal(detectPointAlarm(series([5]), opts), null);
    assert.equal(detectPointAlarm(series(Array(40).fill(NaN)), opts), null);
    assert.equal(detectSustainedShift(series([1, NaN, -3]), opts), null);
    const withNaN = [...lognormalLatency(60, 3), NaN, 9000, NaN, 9500];
    assert.ok(detectPointAlarm(series(withNaN), opts), 'NaN points are skipped');
  });

  it('sustained shift: a 1.5σ step is found by CUSUM/EWMA and dated at its start', () => {
    const g = gaussian(rng(9));
    const v = Array.from({ length: 150 }, (_, i) => Math.exp(6 + 0.1 * g() + (i >= 130 ? 0.15 : 0)));
    const a = detectSustainedShift(series(v), { ...opts, recent: 30 });
    assert.ok(a);
    assert.equal(a.kind, 'sustained_shift');
    const began = (a.beganAt - 1_700_000_000_000) / 60_000;
    assert.ok(began >= 125 && began <= 140, `began at ${began}`);
    const flat = Array.from({ length: 150 }, () => Math.exp(6 + 0.1 * g()));
    assert.equal(detectSustainedShift(series(flat), { ...opts, recent: 30 }), null);
  });

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

  it('cost per output token flags a pricier model but not longer answers', () => {
    const g = gaussian(rng(5));
    const calls = Array.from({ length: 80 }, (_, i) => {
      const out = Math.round(200 * Math.exp(0.5 * g()));
      return { t: i, costUsd: out * 1e-6 * Math.exp(0.05 * g()), outputTokens: out };
    });
    const longer = [...calls, ...[0, 1, 2].map((k) => ({ t: 80 + k, costUsd: 5000 * 1e-6, outputTokens: 5000 }))];
    assert.equal(detectCostPerOutputToken(longer, { seriesKey: 'w' }), null);
    const pricier = [...calls, ...[0, 1, 2].map((k) => ({ t: 80 + k, costUsd: 200 * 1e-5, outputTokens: 200 }))];
    const a = detectCostPerOutputToken(pricier, { seriesKey: 'w' });
    assert.ok(a);
    assert.equal(a.kind, 'cost_per_output_token');
  });
});
