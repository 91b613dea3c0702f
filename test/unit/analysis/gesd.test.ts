import assert from 'node:assert/strict';
import { gesd } from '../../../daemon/analysis/gesd';

const ROSNER = [-0.25, 0.68, 0.94, 1.15, 1.20, 1.26, 1.26, 1.34, 1.38, 1.43, 1.49, 1.49, 1.55, 1.56, 1.58, 1.65, 1.69, 1.70,
  1.76, 1.77, 1.81, 1.91, 1.94, 1.96, 1.99, 2.06, 2.09, 2.10, 2.14, 2.15, 2.23, 2.24, 2.26, 2.35, 2.37, 2.40, 2.47, 2.54,
  2.62, 2.64, 2.90, 2.92, 2.92, 2.93, 3.21, 3.26, 3.30, 3.59, 3.68, 4.30, 4.64, 5.34, 5.42, 6.01];

describe('analysis/gesd', () => {
  it('reproduces the NIST Rosner golden: R_i, λ_i to 3 decimals and 3 outliers', () => {
    const res = gesd(ROSNER, { maxOutliers: 10, alpha: 0.05 });
    const wantR = [3.119, 2.943, 3.179, 2.810, 2.816, 2.848, 2.279, 2.310, 2.102, 2.067];
    const wantL = [3.159, 3.151, 3.144, 3.136, 3.128, 3.120, 3.112, 3.103, 3.094, 3.085];
    assert.equal(res.steps.length, 10);
    res.steps.forEach((s, i) => {
      assert.equal(Number(s.r.toFixed(3)), wantR[i], `R_${i + 1}=${s.r}`);
      assert.equal(Number(s.lambda.toFixed(3)), wantL[i], `λ_${i + 1}=${s.lambda}`);
    });
    assert.deepEqual(res.outliers.map((i) => ROSNER[i]).sort(), [5.34, 5.42, 6.01]);
  });

  it('robust variant finds a spike, and none on a clean series', () => {
    const xs = Array.from({ length: 60 }, (_, i) => 10 + Math.sin(i * 1.3));
    assert.deepEqual(gesd(xs, { maxOutliers: 5, variant: 'robust' }).outliers, []);
    xs[17] = 40;
    assert.deepEqual(gesd(xs, { maxOutliers: 5, variant: 'robust' }).outliers, [17]);
    assert.deepEqual(gesd(xs, { maxOutliers: 5, variant: 'robust', direction: 'neg' }).outliers, []);
  });

  it('is safe on constants, NaN and tiny input', () => {
    assert.deepEqual(gesd([1, 1, 1, 1, 1], { maxOutliers: 2 }).outliers, []);
    assert.deepEqual(gesd([NaN, 1], { maxOutliers: 2 }).outliers, []);
    assert.deepEqual(gesd([], { maxOutliers: 2 }).steps, []);
  });
});
