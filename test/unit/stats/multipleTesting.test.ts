import assert from 'node:assert/strict';
import { benjaminiHochberg, holm } from '../../../daemon/optimize/stats/multipleTesting';

function closeArray(actual: number[], expected: number[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12, `index ${i}: ${v} vs ${expected[i]}`));
}

describe('stats/multipleTesting', () => {
  // Values as R's p.adjust gives them for c(0.01, 0.04, 0.03, 0.005).
  const p = [0.01, 0.04, 0.03, 0.005];

  it('Benjamini–Hochberg', () => {
    closeArray(benjaminiHochberg(p), [0.02, 0.04, 0.04, 0.02]);
    closeArray(benjaminiHochberg([0.5, 0.9]), [0.9, 0.9]);
  });

  it('Holm', () => {
    closeArray(holm(p), [0.03, 0.06, 0.06, 0.02]);
    closeArray(holm([0.4, 0.5]), [0.8, 0.8]);
    closeArray(holm([0.9, 0.8]), [1, 1]);
  });

  it('a single p-value is unchanged and empty input is empty', () => {
    closeArray(benjaminiHochberg([0.03]), [0.03]);
    closeArray(holm([0.03]), [0.03]);
    assert.deepEqual(benjaminiHochberg([]), []);
  });
});
