// OTLP/HTTP semantics at the receiver: statuses, content types, partial success, limits, and that
// nothing partial is ever stored.
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { otlpTypes } from '../../../daemon/ingest/otlp/proto';
import { startTestDaemon, type TestDaemon } from '../../support/daemonHarness';
import { genAiSpan, traceRequest } from '../../support/otlpPayloads';

describe('OTLP receiver', () => {
  let daemon: TestDaemon;
  beforeEach(async () => {
    daemon = await startTestDaemon({ maxBodyBytes: 256 * 1024 });
  });
  afterEach(async () => {
    await daemon.stop();
  });

  const post = (body: string | Buffer, headers: Record<string, string>) =>
    daemon.request('/v1/traces', { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const storedCalls = () => (daemon.daemon.ctx.db.prepare('SELECT COUNT(*) AS n FROM calls').get() as { n: number }).n;
  const json = { 'content-type': 'application/json' };
  const protobuf = { 'content-type': 'application/x-protobuf' };

  it('answers JSON with {} and application/json', async () => {
    const response = await post(JSON.stringify(traceRequest([genAiSpan()])), json);
    assert.equal(response.status, 200);
    assert.match(String(response.headers.get('content-type')), /^application\/json/);
    assert.deepEqual(await response.json(), {});
    assert.equal(storedCalls(), 1);
  });

  it('answers protobuf with an empty protobuf message, gzip or not', async () => {
    const type = otlpTypes().traceRequest;
    const span = genAiSpan();
    const message = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'pb' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.from(span.traceId, 'hex'),
                  spanId: Buffer.from(span.spanId, 'hex'),
                  name: span.name,
                  kind: 3,
                  startTimeUnixNano: span.startTimeUnixNano,
                  endTimeUnixNano: span.endTimeUnixNano,
                  attributes: [
                    { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                    { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
                    { key: 'gen_ai.usage.input_tokens', value: { intValue: 7 } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const bytes = Buffer.from(type.encode(type.fromObject(message)).finish());
    const plain = await post(bytes, protobuf);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('content-type'), 'application/x-protobuf');
    assert.equal((await plain.arrayBuffer()).byteLength, 0);
    const gz = await post(zlib.gzipSync(bytes), { ...protobuf, 'content-encoding': 'gzip' });
    assert.equal(gz.status, 200);
    assert.equal(storedCalls(), 1, 'the same span sent twice is stored once');
    const row = daemon.daemon.ctx.db.prepare('SELECT request_model, input_tokens FROM calls').get();
    assert.deepEqual(row, { request_model: 'gpt-4o', input_tokens: 7 });
  });

  it('rejects bad spans through partial_success and keeps their siblings', async () => {
    const good = genAiSpan();
    const bad = { ...genAiSpan(), traceId: 'not-hex' };
    const response = await post(JSON.stringify(traceRequest([good, bad])), json);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { partialSuccess?: { rejectedSpans: string | number; errorMessage: string } };
    assert.equal(Number(body.partialSuccess?.rejectedSpans), 1);
    assert.match(String(body.partialSuccess?.errorMessage), /trace/i);
    assert.equal(storedCalls(), 1);
  });

  for (const [name, body, headers, status, type] of [
    ['malformed JSON', '{"resourceSpans": [', json, 400, 'invalid_json'],
    ['JSON of the wrong shape', JSON.stringify({ resourceSpans: 'nope' }), json, 400, 'invalid_otlp'],
    ['bad protobuf', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), protobuf, 400, 'invalid_otlp'],
    ['an unknown content type', 'x', { 'content-type': 'text/plain' }, 415, 'unsupported_media_type'],
  ] as const) {
    it(`answers ${name} with ${status} and a clear message, storing nothing`, async () => {
      const response = await post(body as string | Buffer, headers);
      assert.equal(response.status, status);
      const answer = (await response.json()) as { error: { type: string; message: string } };
      assert.equal(answer.error.type, type);
      assert.ok(answer.error.message.length > 10);
      assert.equal(storedCalls(), 0);
    });
  }

  it('answers a truncated gzip body with 400', async () => {
    const gz = zlib.gzipSync(JSON.stringify(traceRequest([genAiSpan()])));
    const response = await post(gz.subarray(0, gz.length - 8), { ...json, 'content-encoding': 'gzip' });
    assert.equal(response.status, 400);
    assert.equal(storedCalls(), 0);
  });

  it('answers 413 when the body is over the limit after decompression, and keeps serving', async () => {
    const big = traceRequest(Array.from({ length: 2000 }, () => genAiSpan()));
    const compressed = zlib.gzipSync(JSON.stringify(big));
    assert.ok(compressed.length < 256 * 1024, 'small on the wire');
    const response = await post(compressed, { ...json, 'content-encoding': 'gzip' });
    assert.equal(response.status, 413);
    assert.equal(storedCalls(), 0);
    const after = await post(JSON.stringify(traceRequest([genAiSpan()])), json);
    assert.equal(after.status, 200);
  });

  it('refuses OTLP without the token', async () => {
    const response = await fetch(`${daemon.url}/v1/traces`, { method: 'POST', headers: json, body: JSON.stringify(traceRequest([genAiSpan()])) });
    assert.equal(response.status, 401);
    assert.equal(storedCalls(), 0);
  });

  it('turns gen_ai.evaluation.result log records into quality scores on the call', async () => {
    const span = genAiSpan();
    await post(JSON.stringify(traceRequest([span])), json);
    const logs = {
      resourceLogs: [
        {
          resource: { attributes: [] },
          scopeLogs: [
            {
              scope: { name: 'evals' },
              logRecords: [
                {
                  timeUnixNano: `${BigInt(Date.now()) * 1_000_000n}`,
                  eventName: 'gen_ai.evaluation.result',
                  traceId: span.traceId,
                  spanId: span.spanId,
                  attributes: [
                    { key: 'gen_ai.evaluation.name', value: { stringValue: 'relevance' } },
                    { key: 'gen_ai.evaluation.score.value', value: { doubleValue: 0.75 } },
                    { key: 'gen_ai.evaluation.explanation', value: { stringValue: 'mostly on topic' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await daemon.request('/v1/logs', { method: 'POST', headers: json, body: JSON.stringify(logs) });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {});
    const score = daemon.daemon.ctx.db.prepare('SELECT call_id, name, value, comment, source FROM scores').get();
    assert.deepEqual(score, { call_id: `${span.traceId}:${span.spanId}`, name: 'relevance', value: 0.75, comment: 'mostly on topic', source: 'otel_evaluation' });
    const metrics = await daemon.request('/v1/metrics', { method: 'POST', headers: json, body: JSON.stringify({ resourceMetrics: [] }) });
    assert.equal(metrics.status, 200);
  });
});
