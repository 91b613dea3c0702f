// When the upstream misbehaves the client gets a proper OpenAI-shaped error quickly, the call is
// stored with its failure, and the daemon keeps serving.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { FAKE_REPLY } from '../../support/fakeOpenAI';
import { API_KEY, allCalls, callRow, startProxyRig, waitFor, waitForCall, type ProxyRig } from './proxyHarness';

const MESSAGES = [{ role: 'user' as const, content: 'Say hello' }];
const CHAT = { model: 'gpt-4o-mini', messages: MESSAGES };

interface ApiErrorShape {
  status?: number;
  code?: string | null;
  type?: string;
  message: string;
  headers?: Headers;
}

async function expectApiError(promise: Promise<unknown>): Promise<ApiErrorShape> {
  const error = await promise.then(
    () => assert.fail('expected an error'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof OpenAI.APIError, `an APIError, got ${String(error)}`);
  return error as unknown as ApiErrorShape;
}

describe('proxy: faults', () => {
  let rig: ProxyRig;
  beforeEach(async () => {
    rig = await startProxyRig();
  });
  afterEach(async () => {
    await rig.stop();
  });

  async function stillServes(): Promise<void> {
    const result = await rig.viaProxy({ worker: 'after' }).chat.completions.create(CHAT);
    assert.equal(result.choices[0].message.content, `${FAKE_REPLY}: Say hello`);
  }

  it('upstream down: 502 in the OpenAI shape, recorded as an error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await rig.daemon.request('/v1/overrides/down', {
      method: 'PUT',
      body: JSON.stringify({ set: { upstream: `http://127.0.0.1:${deadPort}/v1` }, set_by: 'test', reason: 'dead upstream' }),
    });
    const started = Date.now();
    const error = await expectApiError(rig.viaProxy({ worker: 'down' }).chat.completions.create(CHAT));
    assert.ok(Date.now() - started < 2000);
    assert.equal(error.status, 502);
    assert.equal(error.code, 'upstream_unreachable');
    assert.equal(error.type, 'upstream_error');
    const row = allCalls(rig.db).at(-1);
    assert.deepEqual([row?.worker, row?.status, row?.http_status, row?.error_type], ['down', 'error', 502, 'upstream_unreachable']);
    await stillServes();
  });

  it('connection dropped before any response: 502', async () => {
    rig.fake.setFault({ kind: 'drop_connection' }, 1);
    const error = await expectApiError(rig.viaProxy({ worker: 'w' }).chat.completions.create(CHAT));
    assert.equal(error.status, 502);
    await stillServes();
  });

  it('reset mid-stream: the client gets an error event, the partial output is stored', async () => {
    rig.fake.setFault({ kind: 'reset_mid_stream' }, 1);
    const { data: stream, response } = await rig.viaProxy({ worker: 'w' }).chat.completions.create({ ...CHAT, stream: true }).withResponse();
    const received: string[] = [];
    const error = await expectApiError(
      (async () => {
        for await (const chunk of stream) received.push(chunk.choices[0]?.delta?.content ?? '');
      })(),
    );
    assert.match(error.message, /connection failed mid-response/);
    const row = await waitForCall(rig.db, response.headers.get('x-flowtune-call-id'));
    assert.equal(row.status, 'error');
    assert.equal(row.http_status, 502);
    assert.equal(row.error_type, 'upstream_reset');
    assert.equal(row.output_text, received.join(''));
    assert.ok((row.output_text ?? '').length > 0);
    await stillServes();
  });

  it('timeout: 504 as soon as the upstream timeout passes; non-streamed and streamed', async () => {
    rig.proxy.options.upstreamTimeoutMs = 150;
    rig.fake.setFault({ kind: 'hang' }, 1);
    const started = Date.now();
    const error = await expectApiError(rig.viaProxy({ worker: 'slowpoke' }).chat.completions.create(CHAT));
    const waited = Date.now() - started;
    assert.ok(waited >= 140 && waited < 2000, `waited ${waited} ms`);
    assert.equal(error.status, 504);
    assert.equal(error.code, 'upstream_timeout');
    assert.deepEqual(
      [allCalls(rig.db).at(-1)?.status, allCalls(rig.db).at(-1)?.http_status],
      ['error', 504],
    );
    // A stream that stalls after its first events.
    rig.fake.setFault({ kind: 'slow_stream', intervalMs: 1000 }, 1);
    const { data: stream, response } = await rig.viaProxy({ worker: 'slowpoke' }).chat.completions.create({ ...CHAT, stream: true }).withResponse();
    const streamError = await expectApiError(
      (async () => {
        for await (const chunk of stream) void chunk;
      })(),
    );
    assert.match(streamError.message, /stopped sending/);
    const row = await waitForCall(rig.db, response.headers.get('x-flowtune-call-id'));
    assert.deepEqual([row.status, row.http_status, row.error_type], ['error', 504, 'upstream_timeout']);
    rig.proxy.options.upstreamTimeoutMs = 600_000;
    await stillServes();
  });

  it('malformed JSON body: 502 instead of a broken 200', async () => {
    rig.fake.setFault({ kind: 'malformed_json' }, 1);
    const error = await expectApiError(rig.viaProxy({ worker: 'w' }).chat.completions.create(CHAT));
    assert.equal(error.status, 502);
    assert.equal(error.code, 'malformed_response');
    assert.equal(allCalls(rig.db).at(-1)?.error_type, 'malformed_response');
    await stillServes();
  });

  it('malformed SSE event: the stream ends with an error event the SDK raises', async () => {
    rig.fake.setFault({ kind: 'malformed_sse' }, 1);
    const { data: stream, response } = await rig.viaProxy({ worker: 'w' }).chat.completions.create({ ...CHAT, stream: true }).withResponse();
    const error = await expectApiError(
      (async () => {
        for await (const chunk of stream) void chunk;
      })(),
    );
    assert.match(error.message, /not valid JSON/);
    const row = await waitForCall(rig.db, response.headers.get('x-flowtune-call-id'));
    assert.deepEqual([row.status, row.http_status, row.error_type], ['error', 502, 'malformed_response']);
    await stillServes();
  });

  it('client disconnect aborts the upstream request and records the call as cancelled with partial output', async () => {
    rig.fake.setFault({ kind: 'slow_stream', intervalMs: 50 }, 1);
    const controller = new AbortController();
    const { data: stream, response } = await rig
      .viaProxy({ worker: 'impatient' })
      .chat.completions.create({ ...CHAT, stream: true }, { signal: controller.signal })
      .withResponse();
    const received: string[] = [];
    try {
      for await (const chunk of stream) {
        received.push(chunk.choices[0]?.delta?.content ?? '');
        if (received.join('').length > 0) controller.abort();
      }
    } catch {
      // openai-node ends an aborted stream quietly or with an abort error, by version
    }
    assert.ok(controller.signal.aborted);
    const id = response.headers.get('x-flowtune-call-id') as string;
    const row = await waitFor(() => callRow(rig.db, id), 'cancelled call');
    assert.equal(row.status, 'cancelled');
    assert.ok((row.output_text ?? '').length > 0 && FAKE_REPLY.startsWith(row.output_text ?? 'x'), `partial output "${row.output_text}"`);
    // The upstream saw its client go away too.
    await waitFor(() => rig.fake.inflight() === 0, 'upstream connection closed');
    await stillServes();
  });

  it('429 from the upstream passes through with Retry-After, halves the gate limit and pauses it', async () => {
    rig.fake.setFault({ kind: 'rate_limit', retryAfterSeconds: 1 }, 1);
    const error = await expectApiError(rig.viaProxy({ worker: 'limited' }).chat.completions.create(CHAT));
    assert.equal(error.status, 429);
    assert.equal(error.headers?.get('retry-after'), '1');
    assert.equal(error.code, 'rate_limit_exceeded');
    const metrics = (await (await rig.daemon.request('/v1/proxy/metrics')).json()) as { gates: Array<{ model: string; limit: number; paused_for_ms: number; rate_limited: number }> };
    const gate = metrics.gates.find((entry) => entry.model === 'gpt-4o-mini');
    assert.ok(gate);
    assert.equal(gate.limit, 10);
    assert.equal(gate.rate_limited, 1);
    assert.ok(gate.paused_for_ms > 500 && gate.paused_for_ms <= 1000, `paused for ${gate.paused_for_ms}`);
    // The next request waits out the pause at the proxy instead of hitting the provider again.
    const started = Date.now();
    await stillServes();
    assert.ok(Date.now() - started >= 400, 'waited for the pause');
    const row = allCalls(rig.db).find((call) => call.worker === 'limited');
    assert.deepEqual([row?.status, row?.http_status, row?.error_type], ['error', 429, 'rate_limit_exceeded']);
  });

  it('a full queue answers 429 in the OpenAI shape with Retry-After, and the limit is respected upstream', async () => {
    rig.proxy.options.gate.limit = { initial: 2, min: 1, max: 2 };
    rig.proxy.options.gate.maxQueue = 2;
    rig.fake.setFault({ kind: 'slow', delayMs: 150 }, 4);
    const client = rig.viaProxy({ worker: 'burst' });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => client.chat.completions.create({ ...CHAT, model: 'gpt-burst' })));
    const refused = results.filter((result) => result.status === 'rejected');
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 4);
    assert.equal(refused.length, 1);
    const error = (refused[0] as PromiseRejectedResult).reason as ApiErrorShape;
    assert.equal(error.status, 429);
    assert.equal(error.code, 'proxy_queue_full');
    assert.equal(error.type, 'rate_limit_error');
    assert.equal(error.headers?.get('retry-after'), '1');
    assert.equal(rig.fake.maxInflight(), 2, 'never more than the limit in flight upstream');
    const rows = allCalls(rig.db).filter((call) => call.worker === 'burst');
    assert.equal(rows.length, 5);
    assert.equal(rows.filter((call) => call.error_type === 'proxy_queue_full').length, 1);
  });

  it('no upstream configured: 503 that tells the client not to retry', async () => {
    rig.daemon.daemon.ctx.upstream = null;
    const response = await fetch(`${rig.proxyBaseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'x-flowtune-token': rig.daemon.token, 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify(CHAT),
    });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('x-should-retry'), 'false');
    const body = (await response.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'upstream_not_configured');
  });
});
