import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OtlpDecodeError } from '../../../daemon/ingest/otlp/errors';
import {
  describeRejections,
  normalizeTraceRequestJson,
  normalizeTraceRequestProtobuf,
  normalizeTraceRequestProtobufGeneric,
} from '../../../daemon/ingest/otlp/normalize';
import {
  normalizeLogsRequestJson,
  normalizeLogsRequestProtobuf,
  normalizeMetricsRequestJson,
  normalizeMetricsRequestProtobuf,
} from '../../../daemon/ingest/otlp/normalizeLogs';
import {
  encodeLogsResponseProtobuf,
  encodeMetricsResponseProtobuf,
  encodeTraceResponseProtobuf,
  otlpTypes,
  traceResponseJson,
} from '../../../daemon/ingest/otlp/proto';
import { idFromJson, nanosToMs } from '../../../daemon/ingest/otlp/values';
import { TRACE_ID, keyValues, logsRequestToProtobuf, traceRequest, traceRequestToProtobuf } from './otlpFixtures';

const minimal = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/minimal-genai.json'), 'utf8')) as Record<string, unknown>;

describe('OTLP trace normalisation', () => {
  it('decodes the REFERENCES B 2.3 minimal payload: ids, times, every attribute', () => {
    const { spans, rejected } = normalizeTraceRequestJson(minimal);
    assert.equal(rejected.length, 0);
    assert.equal(spans.length, 1);
    const s = spans[0];
    assert.equal(s.traceId, '5b8efff798038103d269b633813fc60c');
    assert.equal(s.spanId, 'eee19b7ec3c1b174');
    assert.equal(s.parentSpanId, undefined);
    assert.equal(s.kind, 3);
    assert.equal(s.startTimeMs, 1730000000000);
    assert.equal(s.endTimeMs - s.startTimeMs, 850);
    assert.equal(s.attributes['gen_ai.request.temperature'], 0.2);
    assert.equal(s.attributes['gen_ai.request.max_tokens'], 256, 'intValue as a string');
    assert.equal(s.attributes['gen_ai.usage.output_tokens'], 42, 'intValue as a number');
    assert.deepEqual(s.attributes['gen_ai.response.finish_reasons'], ['stop']);
    assert.deepEqual(s.status, { code: 1, message: '' });
    assert.deepEqual(s.resource, { 'service.name': 'my-llm-app' });
    assert.deepEqual(s.scope, { name: 'manual-example', version: '1.0.0' });
  });

  it('gives identical normalised spans from JSON and from protobuf', () => {
    const request = traceRequest([
      {
        spanId: 'aaaaaaaaaaaaaaa1',
        name: 'root',
        startMs: 1730000000000.5,
        durationMs: 1234.567,
        attributes: { 'a.str': 'x', 'a.int': 7, 'a.big': 0, 'a.dbl': 0.25, 'a.bool': false, 'a.arr': ['p', 2], 'a.map': { k: 'v', n: { deep: true } } },
        events: [{ name: 'gen_ai.evaluation.result', atMs: 1730000000100, attributes: { 'gen_ai.evaluation.score.value': 0.5 } }],
        status: { code: 2, message: 'boom' },
      },
      { spanId: 'aaaaaaaaaaaaaaa2', parentSpanId: 'aaaaaaaaaaaaaaa1', name: 'child', kind: 3, startMs: 1730000000001, durationMs: 10 },
    ]);
    // A value beyond 2^53 stays a decimal string in both paths; bytes become base64.
    const attrs = ((request.resourceSpans as { scopeSpans: { spans: { attributes: unknown[] }[] }[] }[])[0].scopeSpans[0].spans[0]).attributes;
    attrs.push({ key: 'a.huge', value: { intValue: '9007199254740993' } }, { key: 'a.bytes', value: { bytesValue: Buffer.from('hi!').toString('base64') } });
    const fromJson = normalizeTraceRequestJson(request);
    const bytes = traceRequestToProtobuf(request);
    const fromPb = normalizeTraceRequestProtobuf(bytes);
    assert.equal(fromJson.spans.length, 2);
    assert.deepStrictEqual(fromPb, fromJson);
    assert.deepStrictEqual(normalizeTraceRequestProtobufGeneric(bytes), fromJson, 'the generic protobufjs decoder agrees');
    assert.equal(fromJson.spans[0].attributes['a.huge'], '9007199254740993');
    assert.equal(fromJson.spans[0].attributes['a.bytes'], Buffer.from('hi!').toString('base64'));
    assert.deepEqual(fromJson.spans[0].attributes['a.map'], { k: 'v', n: { deep: true } });
    assert.ok(Math.abs(fromJson.spans[0].endTimeMs - fromJson.spans[0].startTimeMs - 1234.567) < 1e-3);
    assert.equal(fromJson.spans[0].startTimeMs, 1730000000000.5);
  });

  it('reads int64 times given as numbers and as strings alike', () => {
    assert.equal(nanosToMs('1730000000850000000'), 1730000000850);
    assert.equal(nanosToMs(1730000000850000000), 1730000000850);
    const n = 1730000000850123456n;
    assert.equal(nanosToMs({ low: Number(n & 0xffffffffn) | 0, high: Number(n >> 32n) | 0, unsigned: true }), nanosToMs('1730000000850123456'));
    assert.equal(nanosToMs('1730000000850123456'), 1730000000850 + 0.123456);
    assert.ok(Number.isNaN(nanosToMs('12a')));
    const request = traceRequest([{ spanId: 'aaaaaaaaaaaaaaa1', name: 's', startMs: 1730000000000, durationMs: 5 }]);
    const span = (request.resourceSpans as { scopeSpans: { spans: Record<string, unknown>[] }[] }[])[0].scopeSpans[0].spans[0];
    span.startTimeUnixNano = 1730000000000000000;
    span.endTimeUnixNano = 1730000000005000000;
    assert.equal(normalizeTraceRequestJson(request).spans[0].endTimeMs, 1730000000005);
  });

  it('accepts base64 ids from non-conformant exporters and upper-case hex', () => {
    const b64Trace = Buffer.from(TRACE_ID, 'hex').toString('base64');
    const b64Span = Buffer.from('eee19b7ec3c1b174', 'hex').toString('base64');
    assert.equal(b64Trace.length, 24);
    assert.equal(b64Span.length, 12);
    assert.equal(idFromJson(b64Trace, 16), TRACE_ID);
    assert.equal(idFromJson('EEE19B7EC3C1B174', 8), 'eee19b7ec3c1b174');
    const { spans } = normalizeTraceRequestJson(traceRequest([{ traceId: b64Trace, spanId: b64Span, parentSpanId: Buffer.from('0102030405060708', 'hex').toString('base64'), name: 's', startMs: 1e12, durationMs: 1 }]));
    assert.equal(spans[0].traceId, TRACE_ID);
    assert.equal(spans[0].spanId, 'eee19b7ec3c1b174');
    assert.equal(spans[0].parentSpanId, '0102030405060708');
  });

  it('rejects a span with a bad id, a missing id or end before start, and keeps its siblings', () => {
    const { spans, rejected } = normalizeTraceRequestJson(
      traceRequest([
        { spanId: 'aaaaaaaaaaaaaaa1', name: 'good', startMs: 1e12, durationMs: 1 },
        { spanId: 'not-an-id', name: 'bad id', startMs: 1e12, durationMs: 1 },
        { traceId: '00000000000000000000000000000000', spanId: 'aaaaaaaaaaaaaaa3', name: 'zero trace', startMs: 1e12, durationMs: 1 },
        { spanId: 'aaaaaaaaaaaaaaa4', name: 'backwards', startMs: 1e12, durationMs: -5 },
        { spanId: 'aaaaaaaaaaaaaaa5', name: 'good too', startMs: 1e12, durationMs: 2 },
      ]),
    );
    assert.deepEqual(spans.map((s) => s.name), ['good', 'good too']);
    assert.equal(rejected.length, 3);
    assert.match(rejected[0].reason, /invalid spanId/);
    assert.match(rejected[1].reason, /invalid traceId/);
    assert.match(rejected[2].reason, /before startTimeUnixNano/);
    assert.equal(rejected[2].spanId, 'aaaaaaaaaaaaaaa4');
    assert.match(describeRejections(rejected), /^3 rejected: invalid spanId/);
  });

  it('rejects a span whose attribute is malformed, naming the path, without failing the request', () => {
    const request = traceRequest([
      { spanId: 'aaaaaaaaaaaaaaa1', name: 'a', startMs: 1e12, durationMs: 1 },
      { spanId: 'aaaaaaaaaaaaaaa2', name: 'b', startMs: 1e12, durationMs: 1 },
    ]);
    const span = (request.resourceSpans as { scopeSpans: { spans: Record<string, unknown>[] }[] }[])[0].scopeSpans[0].spans[1];
    span.attributes = [{ key: 'x', value: { stringValue: 5 } }];
    const { spans, rejected } = normalizeTraceRequestJson(request);
    assert.equal(spans.length, 1);
    assert.equal(rejected[0].reason, 'resourceSpans[0].scopeSpans[0].spans[1].attributes[0].value.stringValue: expected a string');
  });

  it('throws OtlpDecodeError naming the field for a malformed envelope', () => {
    const cases: [unknown, RegExp][] = [
      ['just a string', /request body/],
      [{ resourceSpans: 'x' }, /resourceSpans: .*array/i],
      [{ resourceSpans: [{ scopeSpans: [{ spans: {} }] }] }, /resourceSpans\[0\]\.scopeSpans\[0\]\.spans/],
      [{ resourceSpans: [{ resource: { attributes: [{ value: { stringValue: 'x' } }] }, scopeSpans: [] }] }, /resourceSpans\[0\]\.resource\.attributes\[0\]\.key: expected a string/],
    ];
    for (const [body, message] of cases) {
      assert.throws(() => normalizeTraceRequestJson(body), (err: unknown) => err instanceof OtlpDecodeError && message.test(err.message));
    }
  });

  it('ignores unknown fields and accepts an empty request', () => {
    assert.deepEqual(normalizeTraceRequestJson({}), { spans: [], rejected: [] });
    const request = traceRequest([{ spanId: 'aaaaaaaaaaaaaaa1', name: 'a', startMs: 1e12, durationMs: 1 }]) as Record<string, unknown>;
    request.somethingNew = { x: 1 };
    assert.equal(normalizeTraceRequestJson(request).spans.length, 1);
  });

  it('rejects a bad span id in protobuf as in JSON', () => {
    const request = traceRequest([
      { spanId: 'aaaaaaaaaaaaaaa1', name: 'good', startMs: 1e12, durationMs: 1 },
      { spanId: 'aaaaaaaaaaaa', name: 'short id', startMs: 1e12, durationMs: 1 },
    ]);
    const { spans, rejected } = normalizeTraceRequestProtobuf(traceRequestToProtobuf(request));
    assert.deepEqual(spans.map((s) => s.name), ['good']);
    assert.equal(rejected.length, 1);
    assert.match(rejected[0].reason, /invalid spanId/);
  });

  it('throws OtlpDecodeError for truncated protobuf', () => {
    const bytes = traceRequestToProtobuf(traceRequest([{ spanId: 'aaaaaaaaaaaaaaa1', name: 'x', startMs: 1e12, durationMs: 1 }]));
    assert.throws(() => normalizeTraceRequestProtobuf(bytes.subarray(0, bytes.length - 7)), OtlpDecodeError);
  });

  it('throws OtlpDecodeError for bytes that are not a protobuf request', () => {
    assert.throws(() => normalizeTraceRequestProtobuf(Buffer.from('{"resourceSpans":[]}')), OtlpDecodeError);
    assert.throws(() => normalizeTraceRequestProtobuf(Uint8Array.from([0x0a, 0x50, 0x01])), OtlpDecodeError);
  });
});

describe('OTLP responses', () => {
  it('encodes a full success as 0 bytes and {} ', () => {
    assert.equal(encodeTraceResponseProtobuf().length, 0);
    assert.equal(encodeTraceResponseProtobuf({ rejected: 0, errorMessage: '' }).length, 0);
    assert.equal(encodeLogsResponseProtobuf().length, 0);
    assert.equal(encodeMetricsResponseProtobuf().length, 0);
    assert.deepEqual(traceResponseJson(), {});
  });

  it('encodes partial_success with rejected_spans and error_message', () => {
    const bytes = encodeTraceResponseProtobuf({ rejected: 3, errorMessage: '3 rejected' });
    const decoded = otlpTypes().traceResponse.toObject(otlpTypes().traceResponse.decode(bytes), { longs: Number });
    assert.deepEqual(decoded, { partialSuccess: { rejectedSpans: 3, errorMessage: '3 rejected' } });
    assert.deepEqual(traceResponseJson({ rejected: 3, errorMessage: '3 rejected' }), { partialSuccess: { rejectedSpans: '3', errorMessage: '3 rejected' } });
  });
});

describe('OTLP logs and metrics', () => {
  const logsRequest = {
    resourceLogs: [
      {
        resource: { attributes: keyValues({ 'service.name': 'app' }) },
        scopeLogs: [
          {
            scope: { name: 'evals' },
            logRecords: [
              {
                timeUnixNano: '1730000000000000000',
                eventName: 'gen_ai.evaluation.result',
                traceId: TRACE_ID,
                spanId: 'eee19b7ec3c1b174',
                attributes: keyValues({ 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 0.75 }),
              },
              { observedTimeUnixNano: '1730000000001000000', body: { stringValue: 'plain log' }, attributes: keyValues({ 'event.name': 'other' }) },
            ],
          },
        ],
      },
    ],
  };

  it('normalises log records identically from JSON and protobuf', () => {
    const fromJson = normalizeLogsRequestJson(logsRequest);
    assert.equal(fromJson.logs.length, 2);
    assert.equal(fromJson.logs[0].eventName, 'gen_ai.evaluation.result');
    assert.equal(fromJson.logs[0].traceId, TRACE_ID);
    assert.equal(fromJson.logs[1].eventName, 'other', 'event.name attribute when the field is empty');
    assert.equal(fromJson.logs[1].timeMs, 1730000000001, 'observed time when time is absent');
    assert.equal(fromJson.logs[1].body, 'plain log');
    assert.deepStrictEqual(normalizeLogsRequestProtobuf(logsRequestToProtobuf(logsRequest)), fromJson);
  });

  it('counts metric data points from JSON and protobuf', () => {
    const metricsRequest = {
      resourceMetrics: [
        {
          resource: { attributes: keyValues({ 'service.name': 'app' }) },
          scopeMetrics: [
            {
              metrics: [
                { name: 'gen_ai.client.token.usage', unit: '{token}', histogram: { dataPoints: [{ count: '2', attributes: keyValues({ 'gen_ai.token.type': 'input' }) }, { count: '1' }], aggregationTemporality: 2 } },
                { name: 'requests', sum: { dataPoints: [{ asInt: '5' }], isMonotonic: true } },
              ],
            },
          ],
        },
      ],
    };
    const fromJson = normalizeMetricsRequestJson(metricsRequest);
    assert.equal(fromJson.dataPoints, 3);
    assert.deepEqual(fromJson.metrics.map((m) => [m.name, m.type, m.dataPoints, m.serviceName]), [
      ['gen_ai.client.token.usage', 'histogram', 2, 'app'],
      ['requests', 'sum', 1, 'app'],
    ]);
    const type = otlpTypes().metricsRequest;
    const pb = normalizeMetricsRequestProtobuf(type.encode(type.fromObject(metricsRequest)).finish());
    assert.deepStrictEqual(pb, fromJson);
  });
});
