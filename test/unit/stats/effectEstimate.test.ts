import assert from 'node:assert/strict';
import { independentEffect, pairedEffect } from '../../../daemon/optimize/stats/effectEstimate';
import { ratioFromValues } from '../../../daemon/optimize/stats/deltaMethod';
import { addPairedSums, pairedCovariance, pairedSumsOf, sampleMeanOf, summarize, summarizeValues } from '../../../daemon/optimize/stats/sufficientStats';
import { sequentialTest } from '../../../daemon/optimize/stats/sequential';

describe('stats/effectEstimate and sufficient statistics', () => {
  const control = [3, 1, 4, 1, 5, 9, 2, 6];
  const treatment = [2, 1, 3, 1, 4, 5, 2, 4];

  it('sums reproduce sample mean, variance and covariance', () => {
    const s = summarize(sampleMeanOf(control));
    assert.equal(s.mean, 3.875);
    assert.ok(Math.abs(s.variance - 7.553571428571429) < 1e-12);
    assert.ok(Math.abs(pairedCovariance(pairedSumsOf(control, treatment)) - 3.9642857142857144) < 1e-12);
    const pooled = addPairedSums(pairedSumsOf([1], [2]), pairedSumsOf([3], [4]));
    assert.deepEqual(pooled, pairedSumsOf([1, 3], [2, 4]));
    assert.equal(summarize(sampleMeanOf([7])).variance, 0);
  });

  it('paired relative effect is the ratio delta method with the within-pair covariance', () => {
    const e = pairedEffect(control, treatment, 'relative');
    const ratio = ratioFromValues(treatment, control);
    assert.ok(Math.abs(e.estimate - (ratio.ratio - 1)) < 1e-12);
    assert.ok(Math.abs(e.variance - ratio.variance) < 1e-12);
    assert.equal(e.dof, control.length - 1);
    // Pairing removes shared variation: far smaller than treating the arms as independent.
    const independent = independentEffect(summarizeValues(control), summarizeValues(treatment), 'relative');
    assert.ok(e.variance < independent.variance / 3);
  });

  it('paired absolute effect is the paired t on differences', () => {
    const e = pairedEffect(control, treatment, 'absolute');
    const d = treatment.map((t, i) => t - control[i]);
    const s = summarizeValues(d);
    assert.ok(Math.abs(e.estimate - s.mean) < 1e-12);
    assert.ok(Math.abs(e.variance - s.variance / d.length) < 1e-12);
  });

  it('degenerate paired inputs', () => {
    assert.equal(pairedEffect([1], [2], 'relative').valid, false);
    assert.equal(pairedEffect([0, 0, 0], [1, 2, 3], 'relative').reason, 'zero baseline mean');
    assert.equal(pairedEffect([1, 2, 3], [1, 2, 3], 'absolute').reason, 'zero/negative variance');
    assert.throws(() => pairedEffect([1, 2], [1], 'absolute'), RangeError);
  });

  it('a one-sided confidence sequence is narrower than the two-sided one', () => {
    const e = { valid: true, estimate: 0.1, variance: 0.001, dof: 99, n: 100 };
    const two = sequentialTest(e, { tuningN: 100 });
    const one = sequentialTest(e, { tuningN: 100, oneSided: true });
    assert.ok(one.ci[1] - one.ci[0] < two.ci[1] - two.ci[0]);
    // The interval shrinks as the same effect is seen over more units.
    const more = sequentialTest({ ...e, variance: 0.0005, n: 200 }, { tuningN: 100 });
    assert.ok(more.ci[1] - more.ci[0] < two.ci[1] - two.ci[0]);
  });
});
