import assert from 'node:assert/strict';
import { canonicalJson, requestHash } from '../../../daemon/proxy/canonicalRequest';

describe('canonical request hashing', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
    assert.equal(canonicalJson([undefined, 'x']), '[null,"x"]');
    assert.equal(canonicalJson('é"'), JSON.stringify('é"'));
  });

  it('gives the same hash for the same request whatever the key order', () => {
    const a = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], temperature: 0, stream: false };
    const b = { stream: false, temperature: 0, messages: [{ content: 'hi', role: 'user' }], model: 'gpt-4o-mini' };
    assert.equal(requestHash('POST', '/v1/chat/completions', a), requestHash('post', '/v1/chat/completions', b));
    assert.match(requestHash('POST', '/v1/chat/completions', a), /^[0-9a-f]{64}$/);
  });

  it('separates requests that differ in any value, the stream flag, the endpoint or the upstream', () => {
    const base = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], temperature: 0 };
    const hash = requestHash('POST', '/v1/chat/completions', base);
    assert.notEqual(hash, requestHash('POST', '/v1/chat/completions', { ...base, stream: true }));
    assert.notEqual(hash, requestHash('POST', '/v1/chat/completions', { ...base, temperature: 0.1 }));
    assert.notEqual(hash, requestHash('POST', '/v1/chat/completions', { ...base, messages: [{ role: 'user', content: 'hi ' }] }));
    assert.notEqual(hash, requestHash('POST', '/v1/responses', base));
    assert.notEqual(hash, requestHash('POST', '/v1/chat/completions', base, 'https://other.example/v1'));
    // 1 and 1.0 are the same JSON number.
    assert.equal(requestHash('POST', '/x', { t: 1 }), requestHash('POST', '/x', JSON.parse('{"t":1.0}')));
  });
});
