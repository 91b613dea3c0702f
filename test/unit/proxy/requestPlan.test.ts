import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { OverrideStore } from '../../../daemon/proxy/overrideStore';
import { clientResponseHeaders, retryAfterMs, upstreamRequestHeaders } from '../../../daemon/proxy/proxyHeaders';
import { classifyEndpoint, planRequest } from '../../../daemon/proxy/requestPlan';
import { upstreamUrl } from '../../../daemon/proxy/proxyHandler';
import { migrate } from '../../../daemon/store/migrations';

const CHAT = classifyEndpoint('POST', '/v1/chat/completions');
const body = () => ({ model: 'gpt-4o', messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'hi' }], max_completion_tokens: 100 });
const variants = (id: string) => (id === 'v2' ? { id, system_prompt: 'Be very terse.' } : null);

describe('request plan', () => {
  it('classifies endpoints; only POSTs to model endpoints are recorded', () => {
    assert.deepEqual(CHAT, { operation: 'chat', recorded: true, generative: true });
    assert.equal(classifyEndpoint('POST', '/v1/embeddings').generative, false);
    assert.equal(classifyEndpoint('GET', '/v1/models').recorded, false);
    assert.equal(classifyEndpoint('POST', '/v1/files').operation, 'other');
  });

  it('leaves the body untouched without an override', () => {
    const original = body();
    const plan = planRequest(CHAT, original, null, 'run-1', variants);
    assert.equal(plan.body, original);
    assert.equal(plan.bodyChanged, false);
  });

  it('applies model, temperature, max_tokens (in the field the app uses) and the prompt variant', () => {
    const original = body();
    const plan = planRequest(CHAT, original, { model: 'gpt-4o-mini', temperature: 0, max_tokens: 50, prompt_variant: 'v2' }, 'run-1', variants);
    assert.deepEqual(plan.body, {
      model: 'gpt-4o-mini',
      temperature: 0,
      max_completion_tokens: 50,
      messages: [{ role: 'system', content: 'Be very terse.' }, { role: 'user', content: 'hi' }],
    });
    assert.deepEqual(original, body(), 'the original request object is not mutated');
    assert.equal(plan.variant, 'v2');
    assert.equal(plan.promptVersion, 'variant:v2');
  });

  it('adds a system message when the app sent none; warns about a missing variant', () => {
    const plan = planRequest(CHAT, { model: 'm', messages: [{ role: 'user', content: 'x' }] }, { prompt_variant: 'v2' }, 'r', variants);
    assert.deepEqual((plan.body as { messages: unknown[] }).messages[0], { role: 'system', content: 'Be very terse.' });
    const missing = planRequest(CHAT, body(), { prompt_variant: 'nope' }, 'r', variants);
    assert.equal(missing.bodyChanged, false);
    assert.equal(missing.warnings.length, 1);
  });

  it('a split arm overrides the worker-wide settings and is named in the plan', () => {
    const split = { salt: 's', arms: [{ name: 'a', weight: 1 }, { name: 'b', weight: 1, model: 'gpt-4o-mini', prompt_variant: 'v2' }] };
    const seen = new Map<string, string>();
    for (let i = 0; i < 50; i++) {
      const plan = planRequest(CHAT, body(), { temperature: 0.5, split }, `run-${i}`, variants);
      seen.set(plan.variant as string, (plan.body as { model: string }).model);
      assert.equal((plan.body as { temperature: number }).temperature, 0.5);
    }
    assert.deepEqual(Object.fromEntries(seen), { a: 'gpt-4o', b: 'gpt-4o-mini' });
  });

  it('does not touch embeddings with chat settings, but still reports cache and upstream', () => {
    const embeddings = classifyEndpoint('POST', '/v1/embeddings');
    const original = { model: 'text-embedding-3-small', input: 'x' };
    const plan = planRequest(embeddings, original, { model: 'gpt-4o-mini', cache: { enabled: true, ttl_seconds: 60 }, upstream: 'http://u/v1' }, 'r', variants);
    assert.equal(plan.body, original);
    assert.deepEqual(plan.cache, { enabled: true, ttlSeconds: 60 });
    assert.equal(plan.upstream, 'http://u/v1');
  });
});

describe('proxy headers', () => {
  it('strips hop-by-hop, host, content-length and x-flowtune-*; keeps authorization and SDK headers', () => {
    const out = upstreamRequestHeaders(
      {
        host: '127.0.0.1:1',
        connection: 'keep-alive, x-custom-hop',
        'x-custom-hop': '1',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'content-length': '10',
        authorization: 'Bearer sk-x',
        'openai-organization': 'org',
        'x-stainless-retry-count': '0',
        'x-flowtune-token': 't',
        'x-flowtune-worker': 'w',
        'accept-encoding': 'gzip',
        'content-encoding': 'gzip',
      },
      true,
    );
    assert.deepEqual(out, { authorization: 'Bearer sk-x', 'openai-organization': 'org', 'x-stainless-retry-count': '0', 'accept-encoding': 'gzip' });
  });

  it('relays provider headers; drops length and encoding when the proxy rewrote the body', () => {
    const upstream = { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': '5', 'x-request-id': 'r', 'x-ratelimit-remaining-requests': '9', 'retry-after': '1', 'transfer-encoding': 'chunked' };
    assert.deepEqual(clientResponseHeaders(upstream, false), { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': '5', 'x-request-id': 'r', 'x-ratelimit-remaining-requests': '9', 'retry-after': '1' });
    assert.deepEqual(clientResponseHeaders(upstream, true), { 'content-type': 'application/json', 'x-request-id': 'r', 'x-ratelimit-remaining-requests': '9', 'retry-after': '1' });
  });

  it('reads retry-after-ms, retry-after seconds and HTTP dates', () => {
    assert.equal(retryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' }), 250);
    assert.equal(retryAfterMs({ 'retry-after': '2' }), 2000);
    assert.equal(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4_000), 6000);
    assert.equal(retryAfterMs({ 'retry-after': 'soon' }), undefined);
    assert.equal(retryAfterMs({}), undefined);
  });

  it('joins the upstream base URL with the client path', () => {
    assert.equal(upstreamUrl('https://api.openai.com/v1', '/v1/chat/completions'), 'https://api.openai.com/v1/chat/completions');
    assert.equal(upstreamUrl('https://api.openai.com/v1/', '/v1/models?x=1'), 'https://api.openai.com/v1/models?x=1');
    assert.equal(upstreamUrl('https://api.openai.com', '/v1/embeddings'), 'https://api.openai.com/v1/embeddings');
    assert.equal(upstreamUrl('https://openrouter.ai/api/v1', '/v1/chat/completions'), 'https://openrouter.ai/api/v1/chat/completions');
  });
});

describe('override store', () => {
  let db: Database.Database;
  let store: OverrideStore;
  beforeEach(() => {
    db = new Database(':memory:');
    migrate(db);
    store = new OverrideStore(db);
  });
  afterEach(() => db.close());

  it('merges changes, removes fields set to null, and undoes one change per revert back to nothing', () => {
    store.set('w', { set: { max_tokens: 100 }, replace: false, set_by: 'alice', reason: 'length stops' }, 1);
    store.set('w', { set: { model: 'gpt-4o-mini', max_tokens: null }, replace: false, set_by: 'optimizer', reason: 'cheaper' }, 2);
    assert.deepEqual(store.get('w'), { worker: 'w', spec: { model: 'gpt-4o-mini' }, set_by: 'optimizer', reason: 'cheaper', set_at: 2 });
    assert.deepEqual(store.revert('w', { set_by: 'bob', reason: 'quality dropped', all: false }, 3)?.restored?.spec, { max_tokens: 100 });
    assert.equal(store.get('w')?.set_by, 'bob');
    assert.deepEqual(store.revert('w', { set_by: 'bob', reason: 'again', all: false }, 4), { restored: null });
    assert.equal(store.get('w'), null);
    assert.equal(store.revert('w', { set_by: 'bob', reason: 'nothing left', all: false }, 5), undefined);
    const history = store.historyFor('w');
    assert.deepEqual(history.map((entry) => entry.action), ['revert', 'revert', 'set', 'set']);
    assert.ok(history[2].reverted_by !== null && history[3].reverted_by !== null);
  });

  it('clears everything at once and that too can be undone', () => {
    store.set('w', { set: { temperature: 0, cache: { enabled: true, ttl_seconds: 60 } }, replace: false, set_by: 'a', reason: 'r' });
    assert.deepEqual(store.revert('w', { set_by: 'a', reason: 'stop', all: true }), { restored: null });
    assert.deepEqual(store.revert('w', { set_by: 'a', reason: 'oops', all: false })?.restored?.spec, { temperature: 0, cache: { enabled: true, ttl_seconds: 60 } });
  });
});
