import assert from 'node:assert/strict';
import { benjaminiHochberg } from '../../../daemon/analysis/multipleTesting';
import { probGreater, probRateIncreased } from '../../../daemon/analysis/betaBinomial';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('analysis/multipleTesting and betaBinomial', () => {
  it('BH adjusts like R p.adjust(method="BH")', () => {
    // p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.5), "BH") = 0.025 0.05 0.05 0.025 0.5
    const r = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.5], 0.05);
    [0.025, 0.05, 0.05, 0.025, 0.5].forEach((v, i) => close(r.adjusted[i], v, 1e-12));
    assert.deepEqual(r.rejected, [true, true, true, true, false]);
    const withNaN = benjaminiHochberg([NaN, 0.001]);
    assert.deepEqual(withNaN.rejected, [false, true]);
    assert.deepEqual(benjaminiHochberg([]).rejected, []);
  });

  it('P(X > Y) for Beta posteriors matches closed forms', () => {
    // Beta(2,1) vs Beta(1,1): P = ∫ (1 − x²)... = 2/3
    close(probGreater(2, 1, 1, 1), 2 / 3, 1e-3);
    close(probGreater(5, 5, 5, 5), 0.5, 1e-3);
    // 10/50 recent vs 20/1000 baseline is overwhelming; 1/50 vs 20/1000 is not.
    assert.ok(probRateIncreased(10, 50, 20, 1000) > 0.999);
    assert.ok(probRateIncreased(1, 50, 20, 1000) < 0.9);
  });
});
