import assert from 'node:assert/strict';
import { forecastLoad, littlesLawConcurrency } from '../../../daemon/analysis/loadForecast';

describe('analysis/loadForecast', () => {
  it("Little's law with headroom", () => {
    assert.equal(littlesLawConcurrency(10, 2000, 1.5), 30);
    assert.equal(littlesLawConcurrency(0, 2000), 1);
    assert.equal(littlesLawConcurrency(NaN, NaN), 1);
  });

  it('Holt-Winters with two seasons of history follows the daily pattern', () => {
    // 5-minute buckets, hourly-scale season of 12 buckets for speed: peak 120 at phase 6.
    const season = [20, 30, 50, 80, 100, 110, 120, 110, 90, 60, 40, 25];
    const counts = Array.from({ length: 12 * 6 }, (_, i) => season[i % 12]);
    const f = forecastLoad({ counts, bucketSeconds: 300, seasonBuckets: 12, p95LatencyMs: 4000 });
    assert.equal(f.method, 'holt-winters');
    assert.equal(f.forecast.length, 12);
    f.forecast.forEach((x, i) => assert.ok(Math.abs(x - season[i]) < 2, `${i}: ${x}`));
    assert.ok(Math.abs(f.peakRatePerSecond - 120 / 300) < 0.01);
    assert.equal(f.recommendedConcurrency, Math.ceil((120 / 300) * 4 * 1.5));
    assert.match(f.explanation, /holt-winters/);
  });

  it('falls back to seasonal naive, then smoothing, and handles empty and gappy input', () => {
    const oneSeason = forecastLoad({ counts: [1, 2, 3, 4, 5, 6], bucketSeconds: 600, seasonBuckets: 4, horizonSeconds: 2400, p95LatencyMs: 1000 });
    assert.equal(oneSeason.method, 'seasonal-naive');
    assert.deepEqual(oneSeason.forecast, [3, 4, 5, 6]);
    const short = forecastLoad({ counts: [10, 10, NaN, 10], bucketSeconds: 300, p95LatencyMs: 1000 });
    assert.equal(short.method, 'smoothing');
    assert.ok(short.forecast.every((x) => Math.abs(x - 10) < 1e-9));
    const none = forecastLoad({ counts: [], bucketSeconds: 300, p95LatencyMs: 1000 });
    assert.equal(none.method, 'none');
    assert.equal(none.recommendedConcurrency, 1);
  });
});
