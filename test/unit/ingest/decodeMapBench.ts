// Throughput of OTLP decode + GenAI mapping alone (no HTTP, no SQLite), for 512-span batches of
// realistic gen_ai spans (~20 attributes, ~1 KB of message content per call).
// Run: npx tsx test/unit/ingest/decodeMapBench.ts
import { mapSpansToBatch } from '../../../daemon/ingest/genai/mapSpans';
import { RecentSpanIndex } from '../../../daemon/ingest/genai/spanIndex';
import { normalizeTraceRequestJson, normalizeTraceRequestProtobuf } from '../../../daemon/ingest/otlp/normalize';
import { traceRequest, traceRequestToProtobuf, type SpanSpec } from './otlpFixtures';

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

export function realisticBatch(batchNo: number, spansPerBatch = 512): SpanSpec[] {
  const specs: SpanSpec[] = [];
  const filler = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(8);
  for (let t = 0; specs.length < spansPerBatch; t++) {
    const traceId = hex(batchNo, 16) + hex(t, 16);
    const t0 = 1730000000000 + t * 10;
    specs.push({ traceId, spanId: hex(t * 4 + 1, 16), name: 'run pipeline', startMs: t0, durationMs: 3000, attributes: { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'pipeline' } });
    specs.push({ traceId, spanId: hex(t * 4 + 2, 16), parentSpanId: hex(t * 4 + 1, 16), name: 'summarize', startMs: t0 + 1, durationMs: 2000, attributes: { 'flowtune.worker': 'summarize', 'code.filepath': 'src/a.ts', 'code.lineno': 10 } });
    for (let c = 3; c <= 4; c++) {
      specs.push({
        traceId,
        spanId: hex(t * 4 + c, 16),
        parentSpanId: hex(t * 4 + 2, 16),
        name: 'chat gpt-4o-mini',
        kind: 3,
        startMs: t0 + c,
        durationMs: 800 + c,
        attributes: {
          'gen_ai.provider.name': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.request.temperature': 0.2,
          'gen_ai.request.max_tokens': 256,
          'gen_ai.request.top_p': 0.9,
          'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
          'gen_ai.response.id': `chatcmpl-${t}-${c}`,
          'gen_ai.response.finish_reasons': ['stop'],
          'gen_ai.usage.input_tokens': 420,
          'gen_ai.usage.output_tokens': 64,
          'gen_ai.usage.total_tokens': 484,
          'gen_ai.input.messages': JSON.stringify([
            { role: 'system', parts: [{ type: 'text', content: `You summarize documents in ${c} bullet points.` }] },
            { role: 'user', parts: [{ type: 'text', content: filler + t }] },
          ]),
          'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: filler.slice(0, 300) }], finish_reason: 'stop' }]),
          'server.address': 'api.openai.com',
          'server.port': 443,
          'llm.request.type': 'chat',
          'gen_ai.conversation.id': `conv-${t}`,
          'flowtune.prompt.version': 'v3',
          'http.response.status_code': 200,
        },
      });
    }
  }
  return specs.slice(0, spansPerBatch);
}

// Reports spans per CPU-second of this process as well as per wall-clock second: on a shared
// 2-core machine the wall figure mostly measures the neighbours.
function measure(label: string, batches: number, spansPerBatch: number, run: (i: number) => number): void {
  for (let i = 0; i < 20; i++) run(i); // warm-up
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  let spans = 0;
  for (let i = 0; i < batches; i++) spans += run(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rate = (n: number): string => Math.round(n).toLocaleString('en-US');
  process.stderr.write(
    `${label}: ${rate(spans / cpuSeconds)} spans/CPU-s, ${rate(spans / seconds)} spans/wall-s (${batches} batches of ${spansPerBatch}, ${((cpuSeconds * 1000) / batches).toFixed(2)} ms CPU/batch)\n`,
  );
}

function main(): void {
  const distinct = 16;
  const jsonBodies: string[] = [];
  const pbBodies: Uint8Array[] = [];
  for (let b = 0; b < distinct; b++) {
    const request = traceRequest(realisticBatch(b + 1), { 'service.name': 'bench-app', 'telemetry.sdk.language': 'nodejs' });
    jsonBodies.push(JSON.stringify(request));
    pbBodies.push(traceRequestToProtobuf(request));
  }
  process.stderr.write(`batch size: JSON ${(jsonBodies[0].length / 1024).toFixed(0)} KiB, protobuf ${(pbBodies[0].length / 1024).toFixed(0)} KiB\n`);
  const batches = 200;
  const index = new RecentSpanIndex();
  measure('JSON  parse+normalize', batches, 512, (i) => normalizeTraceRequestJson(JSON.parse(jsonBodies[i % distinct])).spans.length);
  measure('proto decode+normalize', batches, 512, (i) => normalizeTraceRequestProtobuf(pbBodies[i % distinct]).spans.length);
  measure('JSON  parse+normalize+map', batches, 512, (i) => mapSpansToBatch(normalizeTraceRequestJson(JSON.parse(jsonBodies[i % distinct])).spans, { index }).batch.calls.length * 2);
  measure('proto decode+normalize+map', batches, 512, (i) => mapSpansToBatch(normalizeTraceRequestProtobuf(pbBodies[i % distinct]).spans, { index }).batch.calls.length * 2);
}

if (require.main === module && !process.env.NO_BENCH_MAIN) main();
