import assert from 'node:assert/strict';
import {
  doubleExponentialSmoothing, fitHoltWinters, forecastHoltWinters, runHoltWinters, seasonalNaive,
} from '../../../daemon/analysis/holtWinters';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('analysis/holtWinters', () => {
  const s = [2, -1, 0, -1];
  const y = Array.from({ length: 16 }, (_, t) => 10 + 0.5 * t + s[t % 4]);

  it('reproduces the golden forecast [20, 17.5, 19, 18.5] from the exact state for any parameters', () => {
    for (const p of [{ alpha: 0.3, beta: 0.1, gamma: 0.2 }, { alpha: 0.9, beta: 0.5, gamma: 0.05 }]) {
      const fit = runHoltWinters(y, p, { level: 9.5, trend: 0.5, season: [...s], t: 0 });
      forecastHoltWinters(fit.state, 4).forEach((f, i) => close(f, [20, 17.5, 19, 18.5][i], 1e-9));
      close(fit.sse, 0, 1e-18);
    }
  });

  it('fits by grid search from the default initialisation and forecasts the pattern', () => {
    const fit = fitHoltWinters(y, 4);
    forecastHoltWinters(fit.state, 4).forEach((f, i) => close(f, [20, 17.5, 19, 18.5][i], 0.05));
    assert.throws(() => fitHoltWinters(y.slice(0, 7), 4));
  });

  it('double exponential smoothing matches Prometheus golden 9.34375', () => {
    close(doubleExponentialSmoothing([1, 2, 4, 7, 11], 0.5, 0.5).level, 9.34375, 1e-12);
    assert.equal(doubleExponentialSmoothing([3], 0.5, 0.5).level, 3);
  });

  it('seasonal naive repeats the last season', () => {
    assert.deepEqual(seasonalNaive([1, 2, 3, 4, 5, 6], 3, 5), [4, 5, 6, 4, 5]);
    assert.deepEqual(seasonalNaive([7, 8], 3, 3), [7, 8, 7]);
  });

  it('treats NaN gaps as forecast values', () => {
    const gappy = [...y];
    gappy[9] = NaN;
    const fit = runHoltWinters(gappy, { alpha: 0.3, beta: 0.1, gamma: 0.2 }, { level: 9.5, trend: 0.5, season: [...s], t: 0 });
    forecastHoltWinters(fit.state, 4).forEach((f, i) => close(f, [20, 17.5, 19, 18.5][i], 1e-9));
  });
});
