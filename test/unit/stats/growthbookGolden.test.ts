// GrowthBook gbstats' own unit-test cases (REFERENCES part A §1.1), recomputed with scipy.
import assert from 'node:assert/strict';
import { proportion, sampleMean, summarize } from '../../../daemon/optimize/stats/sufficientStats';
import { independentEffect } from '../../../daemon/optimize/stats/effectEstimate';
import { welchTTest } from '../../../daemon/optimize/stats/frequentist';
import { sequentialRho, sequentialTest } from '../../../daemon/optimize/stats/sequential';
import { bayesianEffectTest } from '../../../daemon/optimize/stats/bayesian';

function close(actual: number, expected: number, tolerance = 5e-5, label = ''): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label} expected ${expected}, got ${actual}`);
}

const caseA = summarize(sampleMean(3407, 1396.87, 52377.9767));
const caseB = summarize(sampleMean(3461, 2422.7, 134698.29));

describe('GrowthBook golden cases', () => {
  it('1. two-sided t-test, relative', () => {
    const r = welchTTest(caseA, caseB);
    close(r.estimate, 0.70732, 5e-5, 'estimate');
    close(r.standardError, 0.37879, 5e-5, 'se');
    close(r.ci[0], -0.03526, 5e-5, 'ci lo');
    close(r.ci[1], 1.44989, 5e-5, 'ci hi');
    close(r.pValue, 0.06191, 5e-5, 'p');
    close(r.dof, 5841.742, 1e-3, 'dof');
  });

  it('2. two-sided t-test, absolute', () => {
    const r = welchTTest(caseA, caseB, { scale: 'absolute' });
    close(r.estimate, 0.29);
    close(r.standardError, 0.12478);
    close(r.ci[0], 0.04538);
    close(r.ci[1], 0.53462);
    close(r.pValue, 0.02016);
  });

  it('3. proportions, relative (variance p(1−p) without n−1)', () => {
    const r = welchTTest(summarize(proportion(28, 14)), summarize(proportion(30, 16)));
    close(r.estimate, 0.06667);
    close(r.standardError, 0.2717);
    close(r.ci[0], -0.47767);
    close(r.ci[1], 0.61101);
    close(r.pValue, 0.80707);
    close(r.dof, 55.707, 1e-3);
  });

  it('4. sequential, N* = 1000', () => {
    const effect = independentEffect(summarize(sampleMean(3000, 1396.87, 52377.9767)), caseB, 'relative');
    const r = sequentialTest(effect, { alpha: 0.05, tuningN: 1000 });
    close(r.rho, 0.0890851, 1e-7, 'rho');
    close(r.estimate, 0.50336);
    close(r.standardError, 0.33341);
    close(r.ci[0], -0.55844);
    close(r.ci[1], 1.56516);
    assert.equal(r.pValue, 1);
  });

  it('5. sequential, default N* = 5000, proportions', () => {
    const effect = independentEffect(summarize(proportion(3000, 1396)), summarize(proportion(3461, 2422)), 'relative');
    const r = sequentialTest(effect);
    close(sequentialRho(0.05), 0.0398401, 1e-7, 'rho');
    close(r.estimate, 0.50386);
    close(r.standardError, 0.03386);
    close(r.ci[0], 0.40098);
    close(r.ci[1], 0.60675);
    // p ≈ 5.17e−44: computed in logs, so it stays exact instead of rounding to 0.
    assert.ok(r.pValue > 5.1e-44 && r.pValue < 5.25e-44, `p ${r.pValue}`);
  });

  it('6. Bayesian, proportions, flat prior', () => {
    const r = bayesianEffectTest(independentEffect(summarize(proportion(100, 49)), summarize(proportion(100, 51)), 'relative'));
    close(r.posteriorMean, 0.04082);
    close(r.posteriorSd, 0.14725);
    close(r.ci[0], -0.24779);
    close(r.ci[1], 0.32943);
    close(r.chanceToWin, 0.60918);
    close(r.risk[0], 0.0814);
    close(r.risk[1], 0.04058);
  });

  const meansA = summarize(sampleMean(10, 100, 1002.25));
  const meansB = summarize(sampleMean(10, 105, 1111.5));

  it('7. Bayesian, means, flat prior', () => {
    const r = bayesianEffectTest(independentEffect(meansA, meansB, 'relative'));
    close(r.posteriorMean, 0.05);
    close(r.posteriorSd, 0.03572);
    close(r.ci[0], -0.02);
    close(r.ci[1], 0.12);
    close(r.chanceToWin, 0.91923);
    close(r.risk[0], 0.05131);
    close(r.risk[1], 0.00131);
  });

  it('8. Bayesian, means, proper prior N(0.1, 0.1)', () => {
    const r = bayesianEffectTest(independentEffect(meansA, meansB, 'relative'), { prior: { mean: 0.1, variance: 0.1 } });
    close(r.posteriorMean, 0.05063);
    close(r.posteriorSd, 0.03549);
    close(r.ci[0], -0.01893);
    close(r.ci[1], 0.12019);
    close(r.chanceToWin, 0.92315);
    close(r.risk[0], 0.05186);
    close(r.risk[1], 0.00123);
  });

  it('9. missing data gives chance to win 0.5 and expected 0', () => {
    const effect = independentEffect(summarize(proportion(0, 0)), summarize(proportion(0, 0)), 'relative');
    const r = bayesianEffectTest(effect);
    assert.equal(r.valid, false);
    assert.equal(r.chanceToWin, 0.5);
    assert.equal(r.posteriorMean, 0);
    const f = welchTTest(summarize(proportion(0, 0)), summarize(proportion(0, 0)));
    assert.equal(f.pValue, 1);
    assert.deepEqual(f.ci, [0, 0]);
  });

  it('10. zero variance gives the default result', () => {
    const a = summarize(sampleMean(2, 10, 50)); // values 5, 5
    assert.equal(a.variance, 0);
    const effect = independentEffect(a, caseB, 'relative');
    assert.equal(effect.valid, false);
    assert.equal(effect.reason, 'zero/negative variance');
    const f = welchTTest(a, caseB);
    assert.equal(f.pValue, 1);
    assert.deepEqual(f.ci, [0, 0]);
    assert.equal(bayesianEffectTest(effect).chanceToWin, 0.5);
    assert.equal(sequentialTest(effect).pValue, 1);
  });

  it('zero baseline mean is degenerate for relative effects but not absolute', () => {
    const a = summarize(sampleMean(3, 0, 2)); // values −1, 0, 1
    const b = summarize(sampleMean(3, 3, 5));
    assert.equal(welchTTest(a, b).valid, false);
    assert.equal(welchTTest(a, b, { scale: 'absolute' }).valid, true);
  });
});
