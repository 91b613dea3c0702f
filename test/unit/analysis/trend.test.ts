import assert from 'node:assert/strict';
import { changeVsPrevious, olsSlope } from '../../../daemon/analysis/trend';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('analysis/trend', () => {
  it('OLS slope and CI match a hand-computed case', () => {
    // x = 1..5, y = [2, 4, 5, 4, 5]: b = 0.6, a = 2.2, SSE = 2.4, se = √(0.8/10) = 0.28284, t(0.975, 3) = 3.18245
    const r = olsSlope([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]);
    close(r.slope, 0.6, 1e-12);
    close(r.intercept, 2.2, 1e-12);
    close(r.se, Math.sqrt(0.08), 1e-12);
    close(r.low, 0.6 - 3.182446 * Math.sqrt(0.08), 1e-5);
    close(r.high, 0.6 + 3.182446 * Math.sqrt(0.08), 1e-5);
    assert.ok(r.p > 0.05);
  });

  it('detects a clear trend and is safe on degenerate input', () => {
    const x = Array.from({ length: 50 }, (_, i) => i);
    const y = x.map((v) => 3 + 2 * v + ((v * 7) % 5) - 2);
    const r = olsSlope(x, y);
    assert.ok(r.low > 1.9 && r.high < 2.1 && r.p < 1e-6);
    assert.ok(Number.isNaN(olsSlope([1], [1]).slope));
    assert.ok(Number.isNaN(olsSlope([2, 2, 2], [1, 2, 3]).slope));
    assert.equal(olsSlope([1, NaN, 3], [1, 5, 3]).n, 2);
  });

  it('change vs previous period: +20% with a CI that excludes 0, p small', () => {
    const prev = Array.from({ length: 200 }, (_, i) => 100 + ((i * 37) % 21) - 10);
    const cur = prev.map((v) => v * 1.2);
    const c = changeVsPrevious(prev, cur);
    close(c.relativeChange, 0.2, 1e-9);
    assert.ok(c.relativeLow > 0.15 && c.relativeHigh < 0.25, `${c.relativeLow} ${c.relativeHigh}`);
    assert.ok(c.p < 1e-6);
    const same = changeVsPrevious(prev, prev);
    assert.ok(same.relativeLow < 0 && same.relativeHigh > 0);
    close(same.p, 1, 1e-9);
    assert.ok(Number.isNaN(changeVsPrevious([], [1, 2]).p));
  });
});
