import assert from 'node:assert/strict';
import { ewmaChart, firstAlarm, tabularCusum } from '../../../daemon/analysis/controlCharts';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('analysis/controlCharts', () => {
  it('reproduces the NIST EWMA golden (REFERENCES 2.1)', () => {
    const x = [52.0, 47.0, 53.0, 49.3, 50.1, 47.0, 51.0, 50.1, 51.2, 50.5, 49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1];
    const want = [50.6, 49.52, 50.564, 50.1848, 50.1594, 49.2116, 49.7481, 49.8537, 50.2576, 50.3303, 50.1112, 49.3578,
      49.5205, 50.0543, 49.378, 49.9246, 50.7272, 51.2291, 51.9403, 51.9882];
    const pts = ewmaChart(x, { lambda: 0.3, target: 50, sigma: 2.0539, L: 3, exactLimits: false });
    pts.forEach((p, i) => close(p.z, want[i], 1e-4));
    close(pts[0].ucl, 52.5884, 1e-3);
    close(pts[0].lcl, 47.4115, 1e-3);
    assert.equal(firstAlarm(pts), -1);
  });

  it('uses narrower exact limits early on', () => {
    const pts = ewmaChart([50, 50, 50], { lambda: 0.3, target: 50, sigma: 2.0539, L: 3 });
    // t=1: λ/(2−λ)·(1−0.7²) = 0.3/1.7·0.51 → width 3·2.0539·√0.09 = 1.8485
    close(pts[0].ucl - 50, 3 * 2.0539 * 0.3, 1e-9);
    assert.ok(pts[0].ucl < pts[2].ucl);
  });

  it('reproduces the tabular CUSUM golden (k=0.5, first alarm at index 8 with h=5)', () => {
    const z = [0, 0.2, -0.1, 1.5, 1.2, 1.8, 1.1, 1.6, 2.0, 1.4];
    const pts = tabularCusum(z, { k: 0.5, h: 5 });
    const want = [0, 0, 0, 1.0, 1.7, 3.0, 3.6, 4.7, 6.2, 7.1];
    pts.forEach((p, i) => close(p.upper, want[i], 1e-9));
    assert.equal(firstAlarm(pts), 8);
  });

  it('is safe on NaN', () => {
    const pts = tabularCusum([NaN, 1, NaN], { k: 0.5, h: 5 });
    assert.deepEqual(pts.map((p) => p.upper), [0, 0.5, 0.5]);
    const e = ewmaChart([NaN, 60], { lambda: 0.5, target: 50, sigma: 1, L: 3 });
    assert.equal(e[0].z, 50);
    assert.equal(e[0].alarm, false);
    assert.equal(e[1].z, 55);
  });
});
