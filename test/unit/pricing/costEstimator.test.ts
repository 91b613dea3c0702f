import assert from 'node:assert/strict';
import { createCostEstimator } from '../../../daemon/pricing/costEstimator';
import type { CallRecord } from '../../../daemon/store/records';

const call = (fields: Partial<CallRecord>): CallRecord => ({
  id: 'c1',
  source: 'proxy',
  operation: 'chat',
  startedAt: 0,
  status: 'ok',
  ...fields,
} as CallRecord);

describe('pricing/costEstimator', () => {
  const estimator = createCostEstimator(undefined, new Date('2026-11-22T00:00:00Z'));

  it('prices a call by its response model (golden 0.000525 USD)', () => {
    const estimate = estimator.costFor(call({ provider: 'openai', requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18', inputTokens: 1500, outputTokens: 500 }));
    assert.deepEqual(estimate, { costUsd: 0.000525, source: 'price_table' });
  });

  it('uses the provider prefix so Azure calls get Azure prices', () => {
    // Azure gpt-4o-mini: 1500·1.65e-7 + 500·6.6e-7; the request names only the deployment.
    const estimate = estimator.costFor(call({ provider: 'az.ai.openai', requestModel: 'prod-deployment', responseModel: 'gpt-4o-mini-2024-07-18', inputTokens: 1500, outputTokens: 500 }));
    assert.equal(estimate?.costUsd, 0.0005775);
  });

  it('falls back to the request model and counts cached tokens', () => {
    const estimate = estimator.costFor(call({ requestModel: 'gpt-4o-mini', responseModel: 'mystery-model', inputTokens: 1500, outputTokens: 500, cachedTokens: 1000 }));
    assert.equal(estimate?.costUsd, 0.00045);
  });

  it('costs nothing for a Flowtune cache hit, and nothing is known without tokens or model', () => {
    assert.deepEqual(estimator.costFor(call({ cacheHit: true, requestModel: 'gpt-4o', inputTokens: 10, outputTokens: 10 })), { costUsd: 0, source: 'cache_hit' });
    assert.equal(estimator.costFor(call({ requestModel: 'gpt-4o' })), null);
    assert.equal(estimator.costFor(call({ requestModel: 'unknown-thing', inputTokens: 10, outputTokens: 10 })), null);
    assert.deepEqual(estimator.warnings, []);
  });
});
