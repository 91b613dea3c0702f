import assert from 'node:assert/strict';
import {
  logEps, mad, median, quantileLower, quantileType7, robustBaseline, robustZ, robustZOf,
} from '../../../daemon/analysis/robust';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('analysis/robust', () => {
  it('matches the Iglewicz–Hoaglin golden (REFERENCES 2.1)', () => {
    const x = [2.1, 2.3, 2.2, 2.4, 2.2, 2.3, 9.8, 2.1, 2.5, 2.2];
    close(median(x), 2.25, 1e-12);
    close(mad(x), 0.1, 1e-12);
    const want = [-1.0118, 0.3372, -0.3372, 1.0118, -0.3372, 0.3372, 50.9248, -1.0118, 1.6863, -0.3372];
    robustZ(x).forEach((m, i) => close(m, want[i], 5e-5));
    assert.equal(robustZ(x).filter((m) => Math.abs(m) > 3.5).length, 1);
  });

  it('guards MAD = 0 with the mean absolute deviation, then with floors', () => {
    const mostlyConstant = [5, 5, 5, 5, 5, 5, 9];
    const b = robustBaseline(mostlyConstant);
    close(b.scale, 1.2533 * (4 / 7), 1e-9);
    assert.ok(Number.isFinite(robustZOf(9, b)));
    const constant = [3, 3, 3, 3];
    assert.equal(robustBaseline(constant).scale, 0);
    assert.equal(robustZOf(3, robustBaseline(constant)), 0);
    assert.equal(robustZOf(4, robustBaseline(constant)), Infinity);
    close(robustBaseline(constant, { relativeFloor: 0.01 }).scale, 0.03, 1e-12);
  });

  it('ignores NaN and is safe on empty input', () => {
    assert.equal(median([1, NaN, 3, Infinity]), 2);
    assert.ok(Number.isNaN(median([])));
    assert.ok(Number.isNaN(robustBaseline([NaN]).center));
    assert.ok(Number.isNaN(robustZ([NaN, 1])[0]));
  });

  it('computes type-7 and lower-rank quantiles', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i + 1);
    assert.equal(quantileLower(xs, 0.99), 990);
    close(quantileType7(xs, 0.99), 990.01, 1e-9);
    close(quantileType7([1, 2, 3, 4], 0.5), 2.5, 1e-12);
    assert.equal(quantileType7([7], 0.3), 7);
    assert.ok(Number.isNaN(quantileType7([], 0.5)));
  });

  it('logs with epsilon and rejects negatives', () => {
    close(logEps(0, 1e-3), Math.log(1e-3), 1e-12);
    assert.ok(Number.isNaN(logEps(-1)));
  });
});
