// OTLP trace mapping on the worker thread: the same batches, links and errors as mapping in the
// main thread, answers in request order, and a clean stop.
import assert from 'node:assert/strict';
import { TraceMapper } from '../../../daemon/ingest/traceMapper';
import type { TraceMappingResult } from '../../../daemon/ingest/traceMapping';
import { TRACE_ID, traceRequest, traceRequestToProtobuf, type SpanSpec } from './otlpFixtures';

const T0 = 1730000000000;

// A call exported before its worker and root spans, one span per request (a SimpleSpanProcessor).
const SPANS: SpanSpec[] = [
  { spanId: '7000000000000003', parentSpanId: '7000000000000002', name: 'chat', startMs: T0 + 2, durationMs: 100, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini' } },
  { spanId: '7000000000000002', parentSpanId: '7000000000000001', name: 'write-summary', startMs: T0 + 1, durationMs: 200 },
  { spanId: '7000000000000001', name: 'pipeline', startMs: T0, durationMs: 300, attributes: { 'gen_ai.operation.name': 'invoke_workflow' } },
];

function bodies(encoding: 'json' | 'protobuf'): Buffer[] {
  return SPANS.map((span) => {
    const request = traceRequest([span]);
    return encoding === 'json' ? Buffer.from(JSON.stringify(request)) : Buffer.from(traceRequestToProtobuf(request as never));
  });
}

async function mapAll(mapper: TraceMapper, encoding: 'json' | 'protobuf'): Promise<TraceMappingResult[]> {
  // All requests in flight at once: the answers must still come back in request order.
  return Promise.all(bodies(encoding).map((body) => mapper.map(encoding, body)));
}

describe('OTLP trace mapping on a worker thread', () => {
  for (const encoding of ['json', 'protobuf'] as const) {
    it(`maps ${encoding} requests exactly as the main thread does, links across requests included`, async () => {
      const worker = new TraceMapper({ spanIndexCapacity: 100, useWorker: true });
      const inline = new TraceMapper({ spanIndexCapacity: 100, useWorker: false });
      try {
        const fromWorker = await mapAll(worker, encoding);
        const fromInline = await mapAll(inline, encoding);
        assert.deepEqual(fromWorker, fromInline);
        const [first, second] = fromWorker;
        assert.ok(first.ok && second.ok);
        assert.equal(first.batch.calls[0].awaitingParent, true);
        assert.deepEqual(second.callLinks, [{ callId: `${TRACE_ID}:7000000000000003`, stepId: `${TRACE_ID}:7000000000000002`, worker: 'write-summary', final: false }]);
      } finally {
        await worker.close();
        await inline.close();
      }
    });
  }

  it('answers undecodable bodies with the 400 the route sends, and keeps working', async () => {
    const mapper = new TraceMapper({ spanIndexCapacity: 100, useWorker: true });
    try {
      const badJson = await mapper.map('json', Buffer.from('{"resourceSpans": ['));
      assert.equal(badJson.ok, false);
      assert.ok(!badJson.ok && badJson.status === 400 && badJson.code === 'invalid_json', JSON.stringify(badJson));
      const badProtobuf = await mapper.map('protobuf', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
      assert.ok(!badProtobuf.ok && badProtobuf.status === 400 && badProtobuf.code === 'invalid_otlp', JSON.stringify(badProtobuf));
      const good = await mapper.map('json', bodies('json')[0]);
      assert.ok(good.ok && good.batch.calls.length === 1);
    } finally {
      await mapper.close();
    }
  });

  it('maps in this thread after close instead of hanging or failing', async () => {
    const mapper = new TraceMapper({ spanIndexCapacity: 100, useWorker: true });
    await mapper.map('json', bodies('json')[0]);
    await mapper.close();
    // After close the mapper maps in this thread (the daemon is shutting down; nothing is lost).
    const after = await mapper.map('json', bodies('json')[1]);
    assert.ok(after.ok);
  });
});
