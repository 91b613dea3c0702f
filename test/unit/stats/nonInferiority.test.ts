import assert from 'node:assert/strict';
import { nonInferiorityIndependent, nonInferiorityPaired } from '../../../daemon/optimize/stats/nonInferiority';
import { summarizeValues } from '../../../daemon/optimize/stats/sufficientStats';

const control = [0.8, 0.75, 0.9, 0.6, 0.85, 0.7, 0.95, 0.65, 0.78, 0.82];
const treatment = [0.78, 0.77, 0.86, 0.61, 0.83, 0.69, 0.93, 0.66, 0.74, 0.8];

function close(actual: number, expected: number, tolerance: number, label: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label}: expected ${expected}, got ${actual}`);
}

describe('stats/nonInferiority', () => {
  it('paired: matches scipy ttest_1samp(d, −margin, alternative="greater")', () => {
    const r = nonInferiorityPaired(control, treatment, 0.05);
    close(r.difference, -0.013, 1e-12, 'difference');
    close(r.pValue, 0.00014965523, 1e-9, 'p');
    close(r.lowerBound, -0.024926979, 1e-8, 'lower bound');
    close(r.inferiorityPValue, 1 - 0.00014965523, 1e-9, 'inferiority p');
    assert.equal(r.nonInferior, true);
    assert.equal(r.inferior, false);
  });

  it('independent: matches scipy ttest_ind(t + margin, c, equal_var=False, alternative="greater")', () => {
    const r = nonInferiorityIndependent(summarizeValues(control), summarizeValues(treatment), 0.05);
    close(r.pValue, 0.21567016, 1e-7, 'p');
    close(r.lowerBound, -0.092743407, 1e-8, 'lower bound');
    // The same data without pairing cannot show non-inferiority: pairing is what gives the power.
    assert.equal(r.nonInferior, false);
    assert.equal(r.inferior, false);
  });

  it('a drop beyond the margin is shown inferior', () => {
    const worse = control.map((q) => q - 0.2 + (q > 0.8 ? 0.01 : -0.01));
    const r = nonInferiorityPaired(control, worse, 0.05);
    assert.equal(r.inferior, true);
    assert.equal(r.nonInferior, false);
    assert.ok(r.inferiorityPValue < 1e-6 && r.pValue > 0.999999);
  });

  it('the anytime-valid bound is wider than the fixed-horizon one', () => {
    const fixed = nonInferiorityPaired(control, treatment, 0.05);
    const seq = nonInferiorityPaired(control, treatment, 0.05, { sequential: true, tuningN: 100 });
    assert.ok(seq.lowerBound < fixed.lowerBound);
    assert.ok(seq.pValue > fixed.pValue);
  });

  it('identical outputs (zero-variance differences) are exactly non-inferior', () => {
    const r = nonInferiorityPaired(control, control, 0.05);
    assert.equal(r.valid, true);
    assert.equal(r.nonInferior, true);
    assert.equal(r.difference, 0);
  });

  it('independent arms where one evaluator always passes still get a verdict', () => {
    const perfect = summarizeValues(new Array(50).fill(1));
    const noisy = summarizeValues(Array.from({ length: 50 }, (_, i) => 0.9 + (i % 5) * 0.02));
    const r = nonInferiorityIndependent(noisy, perfect, 0.05);
    assert.equal(r.valid, true);
    assert.equal(r.nonInferior, true);
  });

  it('relative margins divide by the control mean', () => {
    const r = nonInferiorityPaired(control, treatment, 0.05, { scale: 'relative' });
    const meanControl = control.reduce((s, v) => s + v, 0) / control.length;
    close(r.difference, -0.013 / meanControl, 1e-12, 'relative difference');
  });

  it('rejects a negative margin', () => {
    assert.throws(() => nonInferiorityPaired(control, treatment, -0.1), RangeError);
  });
});
