// The proxy is invisible to the client: the openai client gets what it would get from the upstream
// directly, streamed or not, compressed or not; and every model call is stored with its facts.
import assert from 'node:assert/strict';
import { FAKE_REPLY, RESPONSES_USAGE } from '../../support/fakeOpenAI';
import { API_KEY, allCalls, startProxyRig, waitForCall, type ProxyRig } from './proxyHarness';

const MESSAGES = [
  { role: 'system' as const, content: 'You answer in one sentence.' },
  { role: 'user' as const, content: 'Say hello' },
];

describe('proxy: relaying to the client', () => {
  let rig: ProxyRig;
  beforeEach(async () => {
    rig = await startProxyRig();
  });
  afterEach(async () => {
    await rig.stop();
  });

  it('non-streamed chat: same result as a direct call, gzip passed through, the call stored field by field', async () => {
    const params = { model: 'gpt-4o-mini', messages: MESSAGES, temperature: 0.2, max_tokens: 64, top_p: 0.9 };
    const direct = await rig.direct().chat.completions.create(params);
    const { data, response } = await rig.viaProxy({ worker: 'greeter', run: 'run-1', prompt: 'greet' }).chat.completions.create(params).withResponse();
    assert.deepEqual(data, direct);
    assert.equal(response.headers.get('x-flowtune-cache'), 'miss');
    assert.equal(response.headers.get('x-request-id'), 'req_fake_1');
    assert.equal(response.headers.get('x-flowtune-variant'), null);

    const upstreamRequest = rig.fake.requests.at(-1);
    assert.ok(upstreamRequest);
    assert.match(String(upstreamRequest.headers['accept-encoding']), /gzip/, 'the client asked for gzip and the upstream answered gzip');
    assert.equal(upstreamRequest.headers.authorization, `Bearer ${API_KEY}`);
    assert.equal(Object.keys(upstreamRequest.headers).filter((name) => name.startsWith('x-flowtune')).length, 0);
    assert.equal(upstreamRequest.headers['x-stainless-retry-count'], '0');

    const row = await waitForCall(rig.db, response.headers.get('x-flowtune-call-id'));
    assert.equal(row.source, 'proxy');
    assert.equal(row.worker, 'greeter');
    assert.equal(row.run_id, 'run-1');
    assert.equal(row.prompt_id, 'greet');
    assert.equal(row.operation, 'chat');
    assert.equal(row.request_model, 'gpt-4o-mini');
    assert.equal(row.response_model, 'gpt-4o-mini-2024-07-18');
    assert.equal(row.temperature, 0.2);
    assert.equal(row.max_tokens, 64);
    assert.equal(row.top_p, 0.9);
    assert.equal(row.stream, 0);
    assert.equal(row.input_tokens, 11);
    assert.equal(row.output_tokens, 5);
    assert.equal(row.finish_reason, 'stop');
    assert.equal(row.status, 'ok');
    assert.equal(row.http_status, 200);
    assert.equal(row.retry_count, 0);
    assert.equal(row.cache_hit, 0);
    assert.equal(row.input_text, JSON.stringify(MESSAGES));
    assert.equal(row.output_text, `${FAKE_REPLY}: Say hello`);
    assert.match(row.prompt_fingerprint ?? '', /^[0-9a-f]{64}$/);
    assert.ok(row.cost_usd !== null && row.cost_usd > 0, 'priced by the store from its price table');
    assert.equal(row.cost_source, 'price_table');
    assert.ok(row.latency_ms !== null && row.latency_ms > 0);
    assert.equal(row.ttft_ms, null);
    // The API key is nowhere in the store.
    const dump = JSON.stringify(allCalls(rig.db));
    assert.ok(!dump.includes(API_KEY.slice(8)));
  });

  it('streamed chat without include_usage: identical chunks (no usage chunk, no usage fields), tokens still recorded', async () => {
    const params = { model: 'gpt-4o-mini', messages: MESSAGES, stream: true as const };
    const directChunks = [];
    for await (const chunk of await rig.direct().chat.completions.create(params)) directChunks.push(chunk);
    const { data: stream, response } = await rig.viaProxy({ worker: 'greeter' }).chat.completions.create(params).withResponse();
    const proxiedChunks = [];
    for await (const chunk of stream) proxiedChunks.push(chunk);
    assert.deepEqual(proxiedChunks, directChunks);
    assert.ok(proxiedChunks.every((chunk) => chunk.choices.length > 0 && !('usage' in chunk)));

    const sent = JSON.parse(rig.fake.requests.at(-1)?.body ?? '{}') as { stream_options?: { include_usage?: boolean } };
    assert.deepEqual(sent.stream_options, { include_usage: true }, 'the proxy asked the upstream for usage');
    const row = await waitForCall(rig.db, response.headers.get('x-flowtune-call-id'));
    assert.equal(row.stream, 1);
    assert.equal(row.input_tokens, 11);
    assert.equal(row.output_tokens, 5);
    assert.equal(row.finish_reason, 'stop');
    assert.equal(row.output_text, `${FAKE_REPLY}: Say hello`);
    assert.ok(row.ttft_ms !== null && row.ttft_ms > 0 && row.ttft_ms <= (row.latency_ms ?? 0));
  });

  it('streamed chat: the raw SSE bytes are identical to the upstream, with and without include_usage', async () => {
    for (const includeUsage of [false, true]) {
      const payload = JSON.stringify({
        model: 'gpt-4o-mini',
        messages: MESSAGES,
        stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      });
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };
      const direct = await fetch(`${rig.fake.baseURL}/chat/completions`, { method: 'POST', headers, body: payload });
      const proxied = await fetch(`${rig.proxyBaseURL}/chat/completions`, { method: 'POST', headers: { ...headers, 'x-flowtune-token': rig.daemon.token }, body: payload });
      assert.equal(proxied.status, 200);
      assert.equal(proxied.headers.get('content-type'), 'text/event-stream');
      assert.equal(await proxied.text(), await direct.text(), `include_usage ${includeUsage}`);
    }
  });

  it('streams with CRLF endings cut inside multi-byte characters come through intact', async () => {
    const params = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Grüße 日本語 🎉 ok' }], stream: true as const };
    const directChunks = [];
    rig.fake.setFault({ kind: 'split_stream', chunkBytes: 3, crlf: true });
    for await (const chunk of await rig.direct().chat.completions.create(params)) directChunks.push(chunk);
    const { data: stream, response } = await rig.viaProxy({ worker: 'unicode' }).chat.completions.create(params).withResponse();
    const proxiedChunks = [];
    for await (const chunk of stream) proxiedChunks.push(chunk);
    assert.deepEqual(proxiedChunks, directChunks);
    const row = await waitForCall(rig.db, response.headers.get('x-flowtune-call-id'));
    assert.equal(row.output_text, `${FAKE_REPLY}: Grüße 日本語 🎉 ok`);
    assert.equal(row.output_tokens, 5);
  });

  it('gzip-compressed SSE is relayed decoded, with the same chunks', async () => {
    const params = { model: 'gpt-4o-mini', messages: MESSAGES, stream: true as const, stream_options: { include_usage: true } };
    rig.fake.setFault({ kind: 'gzip_stream' });
    const directChunks = [];
    for await (const chunk of await rig.direct().chat.completions.create(params)) directChunks.push(chunk);
    const { data: stream, response } = await rig.viaProxy({ worker: 'gz' }).chat.completions.create(params).withResponse();
    const proxiedChunks = [];
    for await (const chunk of stream) proxiedChunks.push(chunk);
    assert.deepEqual(proxiedChunks, directChunks);
    assert.equal(proxiedChunks.at(-1)?.usage?.total_tokens, 16, 'the client asked for usage itself, so it keeps it');
    const row = await waitForCall(rig.db, response.headers.get('x-flowtune-call-id'));
    assert.equal(row.output_tokens, 5);
  });

  it('responses, embeddings and models go through; the run id can come from the base URL', async () => {
    const runClientURL = `${rig.daemon.url}/t/${rig.daemon.token}/run/run-from-url/openai/v1`;
    const { default: OpenAI } = await import('openai');
    const runClient = new OpenAI({ apiKey: API_KEY, baseURL: runClientURL, maxRetries: 0, defaultHeaders: { 'x-flowtune-worker': 'writer' } });
    const direct = await rig.direct().responses.create({ model: 'gpt-4o-mini', input: 'Write a haiku' });
    const { data, response } = await runClient.responses.create({ model: 'gpt-4o-mini', input: 'Write a haiku' }).withResponse();
    assert.deepEqual(data, direct);
    const row = await waitForCall(rig.db, response.headers.get('x-flowtune-call-id'));
    assert.equal(row.run_id, 'run-from-url');
    assert.equal(row.operation, 'responses');
    assert.equal(row.input_text, 'Write a haiku');
    assert.equal(row.output_text, FAKE_REPLY);
    assert.equal(row.input_tokens, RESPONSES_USAGE.input_tokens);
    assert.equal(row.finish_reason, 'stop');

    const embedding = await rig.viaProxy({ worker: 'embedder' }).embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] }).withResponse();
    assert.deepEqual(embedding.data, await rig.direct().embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] }));
    const embeddingRow = await waitForCall(rig.db, embedding.response.headers.get('x-flowtune-call-id'));
    assert.equal(embeddingRow.operation, 'embeddings');
    assert.equal(embeddingRow.input_tokens, 8);
    assert.equal(embeddingRow.input_text, '["a","b"]');

    const models = await rig.viaProxy().models.list();
    assert.deepEqual(models.data.map((model) => model.id), ['gpt-4o-mini']);
    // Listing models is not a model call: nothing stored for it.
    assert.equal(allCalls(rig.db).filter((call) => call.operation === 'other').length, 0);
  });

  it('upstream errors reach the client unchanged and are recorded with their type', async () => {
    const call = () => rig.viaProxy({ worker: 'w' }).chat.completions.create({ model: 'fail-model', messages: MESSAGES }).withResponse();
    const direct = await rig.direct().chat.completions.create({ model: 'fail-model', messages: MESSAGES }).catch((error: unknown) => error);
    const proxied = await call().catch((error: unknown) => error);
    assert.ok(proxied instanceof Error && direct instanceof Error);
    const { status, code, type, message } = proxied as unknown as { status: number; code: string; type: string; message: string };
    const expected = direct as unknown as { status: number; code: string; type: string; message: string };
    assert.deepEqual({ status, code, type, message }, { status: expected.status, code: expected.code, type: expected.type, message: expected.message });
    const row = allCalls(rig.db).at(-1);
    assert.equal(row?.status, 'error');
    assert.equal(row?.http_status, 400);
    assert.equal(row?.error_type, 'model_not_found');
    assert.equal(row?.error_message, 'The model `fail-model` does not exist');
  });

  it('other paths pass through untouched (a multipart upload, an unknown endpoint) and are not recorded', async () => {
    const boundary = 'flowtune-test-boundary';
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="purpose"\r\n\r\nassistants\r\n`),
      Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="data.bin"\r\ncontent-type: application/octet-stream\r\n\r\n`),
      Buffer.from([0, 1, 2, 0xc3, 0xff, 0xfe]),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    const direct = await fetch(`${rig.fake.baseURL}/files`, { method: 'POST', headers, body: multipart });
    const directBody = await direct.text();
    const proxied = await fetch(`${rig.proxyBaseURL}/files`, { method: 'POST', headers: { ...headers, 'x-flowtune-token': rig.daemon.token }, body: multipart });
    assert.equal(proxied.status, direct.status);
    assert.equal(await proxied.text(), directBody);
    const [viaDirect, viaProxy] = rig.fake.requests.slice(-2);
    assert.equal(viaProxy.headers['content-type'], viaDirect.headers['content-type']);
    assert.equal(viaProxy.headers['content-length'], String(multipart.length));
    assert.equal(viaProxy.body, viaDirect.body, 'the multipart body arrives byte for byte');
    const unknown = await fetch(`${rig.proxyBaseURL}/no/such/thing`, { headers: { 'x-flowtune-token': rig.daemon.token } });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'unknown_url');
    assert.equal(allCalls(rig.db).length, 0);
  });

  it('records the SDK retry count of each attempt (the proxy itself never retries)', async () => {
    rig.fake.setFault({ kind: 'server_error', status: 500 }, 1);
    const before = rig.fake.requests.length;
    const result = await rig.viaProxy({ worker: 'retrying', maxRetries: 1 }).chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES });
    assert.equal(result.choices[0].message.content, `${FAKE_REPLY}: Say hello`);
    assert.equal(rig.fake.requests.length - before, 2, 'one attempt per client try');
    const rows = allCalls(rig.db).filter((row) => row.worker === 'retrying');
    assert.deepEqual(rows.map((row) => [row.retry_count, row.http_status, row.status]), [
      [0, 500, 'error'],
      [1, 200, 'ok'],
    ]);
  });
});
