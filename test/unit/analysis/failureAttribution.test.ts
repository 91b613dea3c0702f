import assert from 'node:assert/strict';
import { attributeFailures, DimensionCount, inputSizeBucket } from '../../../daemon/analysis/failureAttribution';
import { fisherExactGreater, logFactorial } from '../../../daemon/analysis/fisher';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('analysis/failureAttribution', () => {
  it('Fisher exact matches scipy.stats.fisher_exact(alternative="greater")', () => {
    // Lady tasting tea: [[3,1],[1,3]] → 0.24285714
    close(fisherExactGreater(3, 1, 1, 3), 0.2428571428571, 1e-10);
    // [[8,2],[1,5]]: (C(9,8)·C(7,2) + C(9,9)·C(7,1)) / C(16,10) = 196/8008
    close(fisherExactGreater(8, 2, 1, 5), 196 / 8008, 1e-12);
    assert.equal(fisherExactGreater(0, 5, 5, 0), 1);
    close(logFactorial(1000), 5912.128178488163, 1e-9); // math.lgamma(1001)
    close(logFactorial(300), 1414.905849945068, 1e-9); // math.lgamma(301), first Stirling value
  });

  it('finds where failures concentrate, with lift, BH and a sentence', () => {
    const counts: DimensionCount[] = [
      { dimension: 'model', value: 'gpt-4o-mini', failed: 62, total: 200 },
      { dimension: 'model', value: 'gpt-4o', failed: 38, total: 800 },
      { dimension: 'status code', value: '429', failed: 50, total: 50 },
      { dimension: 'status code', value: '200', failed: 0, total: 900 },
      { dimension: 'status code', value: '500', failed: 50, total: 50 },
      { dimension: 'prompt version', value: 'v1', failed: 50, total: 500 },
      { dimension: 'prompt version', value: 'v2', failed: 50, total: 500 },
    ];
    const found = attributeFailures(counts);
    const mini = found.find((f) => f.value === 'gpt-4o-mini');
    assert.ok(mini);
    close(mini.failureShare, 0.62, 1e-12);
    close(mini.lift, 0.62 / 0.2, 1e-12);
    assert.equal(mini.sentence, '62% of failures come from model gpt-4o-mini (3.1× its share of calls, p<0.001)');
    assert.ok(!found.some((f) => f.dimension === 'prompt version'), 'no lift, no finding');
    assert.ok(!found.some((f) => f.value === 'gpt-4o'));
    assert.ok(found.some((f) => f.value === '429'));
  });

  it('stays quiet on small or uniform data and ignores bad rows', () => {
    assert.deepEqual(attributeFailures([
      { dimension: 'model', value: 'a', failed: 2, total: 3 },
      { dimension: 'model', value: 'b', failed: 0, total: 10 },
    ]), []);
    assert.deepEqual(attributeFailures([{ dimension: 'model', value: 'a', failed: 5, total: 2 }]), []);
    assert.deepEqual(attributeFailures([]), []);
  });

  it('buckets input sizes', () => {
    assert.equal(inputSizeBucket(500), '<1k tokens');
    assert.equal(inputSizeBucket(1500), '1k–2k tokens');
    assert.equal(inputSizeBucket(9000), '8k–16k tokens');
    assert.equal(inputSizeBucket(NaN), 'unknown');
  });
});
