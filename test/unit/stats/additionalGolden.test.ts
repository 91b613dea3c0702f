// Additional golden values of REFERENCES part A §1.1 and the Optimizely mSPRT of §1.2.
import assert from 'node:assert/strict';
import { pairedSumsOf, proportion, sampleMeanOf, statisticVariance } from '../../../daemon/optimize/stats/sufficientStats';
import { mannWhitneyU, welchTTestArrays } from '../../../daemon/optimize/stats/frequentist';
import { ratioArmSummary, ratioFromValues } from '../../../daemon/optimize/stats/deltaMethod';
import { cupedAdjust } from '../../../daemon/optimize/stats/cuped';
import { srmCheck } from '../../../daemon/optimize/stats/srm';
import { sampleSizeTwoMeans, sampleSizeTwoProportions } from '../../../daemon/optimize/stats/sampleSize';
import { AlwaysValidPValue, alwaysValidPValues, msprt, sequentialTest } from '../../../daemon/optimize/stats/sequential';

function close(actual: number, expected: number, tolerance: number, label = ''): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label} expected ${expected}, got ${actual}`);
}

describe('additional golden values', () => {
  it('SRM chi-square', () => {
    const even = srmCheck([5050, 4950]);
    close(even.pValue, 0.317311, 1e-6);
    assert.equal(even.mismatch, false);
    const skewed = srmCheck([5200, 4800]);
    close(skewed.pValue, 6.334e-5, 1e-8);
    assert.equal(skewed.mismatch, true);
    close(srmCheck([1000, 1200]).pValue, 2.0079e-5, 1e-8);
    // Unequal assigned weights: 2200 units at 1000/1200 is exactly the 5:6 split expected.
    assert.ok(srmCheck([1000, 1200], [5, 6]).pValue > 0.99);
    // Too few units to judge.
    assert.equal(srmCheck([1, 7]).mismatch, false);
  });

  const a = [120, 135, 150, 110, 160, 145, 130, 125];
  const b = [100, 115, 105, 120, 98, 110, 112, 108];

  it('Welch on raw arrays (scipy ttest_ind equal_var=False)', () => {
    const r = welchTTestArrays(a, b);
    close(r.t, 4.032334, 1e-6, 't');
    close(r.dof, 9.6899, 1e-4, 'dof');
    close(r.pValue, 0.002548, 1e-6, 'p');
    assert.ok(r.ci[0] > 0 && r.ci[1] > r.ci[0]);
  });

  it('Mann–Whitney U with ties (normal approximation)', () => {
    const r = mannWhitneyU(a, b);
    assert.equal(r.u, 60);
    close(r.pValue, 0.0038239, 1e-7, 'p');
    assert.equal(mannWhitneyU(b, a).u, 4);
    close(mannWhitneyU(b, a).pValue, r.pValue, 1e-12, 'symmetric p');
  });

  it('delta method for a ratio metric', () => {
    const r = ratioFromValues([3, 1, 4, 1, 5, 9, 2, 6], [2, 1, 3, 1, 4, 5, 2, 4]);
    close(r.ratio, 1.409091, 1e-6, 'ratio');
    close(r.variance, 0.01286017, 1e-8, 'variance');
    close(r.standardError, 0.113403, 1e-6, 'se');
    const summary = ratioArmSummary(pairedSumsOf([3, 1, 4, 1, 5, 9, 2, 6], [2, 1, 3, 1, 4, 5, 2, 4]));
    close(summary.variance / summary.n, 0.01286017, 1e-8, 'arm summary');
  });

  it('CUPED with pooled θ', () => {
    const control = pairedSumsOf([2.1, 3.9, 6.2, 7.8, 10.1], [1, 2, 3, 4, 5]);
    const treatment = pairedSumsOf([3.2, 5.1, 7.3, 9.0, 11.2], [1.5, 2.5, 3.5, 4.5, 5.5]);
    const r = cupedAdjust(control, treatment);
    close(r.theta, 1.998788, 1e-6, 'theta');
    close(r.treatment.mean - r.control.mean, 0.140606, 1e-6, 'adjusted difference');
    close(r.control.variance, 0.026943, 1e-6, 'control variance');
    close(r.treatment.variance, 0.012943, 1e-6, 'treatment variance');
    close(r.baselineMean, 6.02, 1e-12, 'unadjusted control mean');
    close(statisticVariance(sampleMeanOf([2.1, 3.9, 6.2, 7.8, 10.1])), 9.927, 1e-9, 'raw control variance');
  });

  it('sample size', () => {
    const p = sampleSizeTwoProportions(0.1, 0.11);
    close(p.exact, 14748.05, 0.01);
    assert.equal(p.perArm, 14749);
    close(sampleSizeTwoMeans(1, 0.1).exact, 1569.78, 0.01);
  });

  it('proportion variance has no n−1 correction', () => {
    assert.equal(statisticVariance(proportion(4, 1)), 0.1875);
  });
});

describe('Optimizely mSPRT (golden)', () => {
  const variance = (0.1 * 0.9 + 0.12 * 0.88) / 5000;

  it('Λ, always-valid p and CI', () => {
    const r = msprt({ estimate: 0.02, variance, tau2: 1e-4 });
    close(r.lambda, 20.916014, 1e-6, 'lambda');
    close(r.pValue, 0.04781, 1e-6, 'p');
    close(r.ci[0], 0.000122, 1e-6, 'ci lo');
    close(r.ci[1], 0.039878, 1e-6, 'ci hi');
  });

  it('the always-valid p is a running minimum', () => {
    const looks = [0.02, 0.005, 0.03, 0.0].map((estimate) => ({ estimate, variance, tau2: 1e-4 }));
    const ps = alwaysValidPValues(looks);
    assert.ok(ps[2] < ps[1]);
    assert.equal(ps[3], ps[2]); // evidence falling back does not raise the p-value
    const tracker = new AlwaysValidPValue();
    tracker.observe(0.3);
    assert.equal(tracker.observe(0.5), 0.3);
    assert.equal(tracker.value, 0.3);
  });

  it('equals GrowthBook’s sequential p when τ² = s²ρ²', () => {
    const n = 400;
    const effect = { valid: true, estimate: 0.03, variance: 1e-4, dof: 398, n };
    const seq = sequentialTest(effect, { tuningN: 500 });
    const tau2 = effect.variance * n * seq.rho * seq.rho;
    close(msprt({ estimate: effect.estimate, variance: effect.variance, tau2 }).pValue, seq.pValue, 1e-12, 'p');
  });
});
