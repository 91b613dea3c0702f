import assert from 'node:assert/strict';
import { clusterErrors, maskLlmError } from '../../../daemon/analysis/errorTemplates';

describe('analysis/errorTemplates', () => {
  it('masks ids, uuids, urls, durations, model snapshots and numbers', () => {
    const m = maskLlmError('Rate limit reached for gpt-4o-mini-2024-07-18 in organization org-abc on tokens per min (TPM): '
      + 'Limit 200000, Used 199000, Requested 1500. Please try again in 450ms. Visit https://platform.openai.com/account/rate-limits '
      + 'request id: req_8f3a9c2b1d');
    assert.ok(m.includes('gpt-4o-mini-<VER>'), m);
    assert.ok(m.includes('Limit <NUM>, Used <NUM>, Requested <NUM>'), m);
    assert.ok(m.includes('try again in <DUR>'), m);
    assert.ok(m.includes('<URL>'), m);
    assert.ok(!/req_8f3a/.test(m), m);
    assert.equal(maskLlmError('trace 123e4567-e89b-12d3-a456-426614174000 failed'), 'trace <UUID> failed');
  });

  it('clusters by (provider, status, type) then template', () => {
    const rl = (n: number, ms: number) => ({ provider: 'openai', httpStatus: 429, errorType: 'rate_limit_exceeded',
      message: `Rate limit reached for gpt-4o in organization org-x on requests per min: Limit ${n}, Used ${n}. Please try again in ${ms}ms.` });
    const ctx = (n: number) => ({ provider: 'openai', httpStatus: 400, errorType: 'invalid_request_error',
      message: `This model's maximum context length is 128000 tokens. However, your messages resulted in ${n} tokens.` });
    const events = [rl(500, 120), rl(500, 80), ctx(130001), rl(3500, 7), ctx(140222), rl(10, 999),
      { ...rl(500, 1), provider: 'azure' }];
    const t = clusterErrors(events);
    assert.equal(t.length, 3);
    assert.equal(t[0].count, 4);
    assert.equal(t[0].httpStatus, 429);
    assert.ok(t[0].template.startsWith('Rate limit reached for gpt-4o'), t[0].template);
    assert.equal(t[1].count, 2);
    assert.equal(t[1].errorType, 'invalid_request_error');
    assert.equal(t[2].provider, 'azure');
    assert.ok(t[0].example.includes('Limit 500'));
  });

  it('handles null status/type and empty messages', () => {
    const t = clusterErrors([{ provider: 'x', httpStatus: null, errorType: null, message: '' },
      { provider: 'x', httpStatus: null, errorType: null, message: '   ' }]);
    assert.equal(t.length, 1);
    assert.equal(t[0].count, 2);
    assert.equal(t[0].httpStatus, null);
  });
});
