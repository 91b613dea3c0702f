// Realistic OTLP trace export requests, as an app instrumented with @traceloop/instrumentation-openai
// (and the Traceloop workflow layer) sends them: one trace per pipeline run with a workflow span,
// worker (task) spans and chat spans carrying the gen_ai attribute set of REFERENCES B 1.3 / table 726,
// including ~1 KB of gen_ai.input/output.messages. Every span has its own trace/span id, so the daemon
// never skips a duplicate. Spans are queued in the order they end (children before parents), the
// way a BatchSpanProcessor exports them, so a batch boundary can separate a child from its parent.
import { otlpTypes } from '../../daemon/ingest/otlp/proto';
import { createRng, proseText, type Rng } from './random';

export type OtlpEncoding = 'json' | 'protobuf';

export interface SpanBatchOptions {
  encoding: OtlpEncoding;
  /** Spans to generate; the last batch may be short. */
  totalSpans: number;
  batchSize: number;
  seed: number;
  /** Runs are spread over the hour before this time (epoch ms). */
  endTimeMs: number;
}

export interface SpanBatches {
  encoding: OtlpEncoding;
  bodies: Buffer[];
  /** Spans in each body, same order. */
  spansPerBody: number[];
  spans: number;
  callSpans: number;
  stepSpans: number;
  runs: number;
  bytes: number;
}

interface JsonKeyValue {
  key: string;
  value: Record<string, unknown>;
}

interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: JsonKeyValue[];
  droppedAttributesCount: number;
  events: unknown[];
  droppedEventsCount: number;
  links: unknown[];
  droppedLinksCount: number;
  status: { code: number; message?: string };
}

interface QueuedSpan {
  scope: 'sdk' | 'openai';
  span: JsonSpan;
}

const PIPELINES: ReadonlyArray<{ workflow: string; workers: string[] }> = [
  { workflow: 'support_triage', workers: ['classify_ticket', 'extract_entities', 'lookup_policy', 'draft_reply', 'review_reply'] },
  { workflow: 'invoice_processing', workers: ['ocr_cleanup', 'extract_fields', 'validate_totals', 'match_vendor', 'summarize_invoice'] },
  { workflow: 'research_digest', workers: ['plan_queries', 'rank_sources', 'summarize_source', 'merge_findings', 'write_digest'] },
  { workflow: 'sales_outreach', workers: ['score_lead', 'personalize_intro', 'draft_email', 'check_tone', 'subject_lines'] },
];
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini'] as const;
const MODEL_MEDIAN_LATENCY_MS: Record<string, number> = { 'gpt-4o-mini': 900, 'gpt-4o': 1800, 'gpt-4.1-mini': 1200 };

const str = (key: string, value: string): JsonKeyValue => ({ key, value: { stringValue: value } });
const int = (key: string, value: number): JsonKeyValue => ({ key, value: { intValue: value } });
const dbl = (key: string, value: number): JsonKeyValue => ({ key, value: { doubleValue: value } });
const strArray = (key: string, values: string[]): JsonKeyValue => ({
  key,
  value: { arrayValue: { values: values.map((v) => ({ stringValue: v })) } },
});

function nanos(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

function baseSpan(traceId: string, spanId: string, parentSpanId: string | undefined, name: string, kind: number): JsonSpan {
  const span: JsonSpan = {
    traceId,
    spanId,
    name,
    kind,
    startTimeUnixNano: '',
    endTimeUnixNano: '',
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0 },
  };
  if (parentSpanId !== undefined) span.parentSpanId = parentSpanId;
  return span;
}

// A worker's system prompt is its fixed template (the same text on every call), as in a real app.
const systemPrompts = new Map<string, string>();
function systemPrompt(worker: string): string {
  let prompt = systemPrompts.get(worker);
  if (prompt === undefined) {
    let seed = 0;
    for (let i = 0; i < worker.length; i++) seed = (seed * 31 + worker.charCodeAt(i)) >>> 0;
    prompt = `You are the ${worker} step of a document pipeline. ${proseText(createRng(seed), 280)}`;
    systemPrompts.set(worker, prompt);
  }
  return prompt;
}

function chatSpan(rng: Rng, ctx: { traceId: string; parent: string; workflow: string; runId: string; promptVersion: string; worker: string }, startMs: number): JsonSpan {
  const model = rng.next() < 0.6 ? MODELS[0] : rng.pick(MODELS);
  const latency = rng.logNormal(MODEL_MEDIAN_LATENCY_MS[model], 0.45);
  const span = baseSpan(ctx.traceId, rng.hex(8), ctx.parent, `chat ${model}`, 3);
  span.startTimeUnixNano = nanos(startMs);
  span.endTimeUnixNano = nanos(startMs + latency);
  const failed = rng.next() < 0.02;
  const temperature = rng.pick([0.2, 0.3, 0.7, 1]);
  const maxTokens = rng.pick([256, 512, 1024]);
  const inputMessages = JSON.stringify([
    { role: 'system', parts: [{ type: 'text', content: systemPrompt(ctx.worker) }] },
    { role: 'user', parts: [{ type: 'text', content: proseText(rng, 420) }] },
  ]);
  const a = span.attributes;
  a.push(
    str('gen_ai.provider.name', 'openai'),
    str('gen_ai.operation.name', 'chat'),
    str('llm.request.type', 'chat'),
    str('gen_ai.request.model', model),
    dbl('gen_ai.request.temperature', temperature),
    int('gen_ai.request.max_tokens', maxTokens),
    dbl('gen_ai.request.top_p', 0.9),
    str('gen_ai.input.messages', inputMessages),
    str('traceloop.workflow.name', ctx.workflow),
    str('traceloop.association.properties.run_id', ctx.runId),
    str('traceloop.association.properties.prompt_version', ctx.promptVersion),
  );
  if (failed) {
    a.push(str('error.type', 'RateLimitError'));
    span.status = { code: 2, message: `429 Rate limit reached for ${model} in organization org-bench on tokens per min (TPM)` };
    return span;
  }
  const inputTokens = Math.round(rng.logNormal(260, 0.3));
  const outputTokens = Math.max(1, Math.round(rng.logNormal(70, 0.5)));
  const finish = outputTokens >= maxTokens ? 'length' : 'stop';
  const outputMessages = JSON.stringify([
    { role: 'assistant', parts: [{ type: 'text', content: proseText(rng, 250) }], finish_reason: finish },
  ]);
  a.push(
    str('gen_ai.response.model', `${model}-2024-07-18`),
    str('gen_ai.response.id', `chatcmpl-${rng.hex(15)}`),
    strArray('gen_ai.response.finish_reasons', [finish]),
    int('gen_ai.usage.input_tokens', inputTokens),
    int('gen_ai.usage.output_tokens', outputTokens),
    int('gen_ai.usage.total_tokens', inputTokens + outputTokens),
    int('llm.usage.total_tokens', inputTokens + outputTokens),
    int('gen_ai.usage.cache_read_input_tokens', 0),
    str('gen_ai.output.messages', outputMessages),
  );
  return span;
}

/** One pipeline run's spans, appended in end order. */
function generateRun(rng: Rng, startMs: number, out: QueuedSpan[]): void {
  const pipeline = rng.pick(PIPELINES);
  const traceId = rng.hex(16);
  const runId = `run-${rng.hex(8)}`;
  const promptVersion = rng.next() < 0.5 ? 'v1' : 'v2';
  const workflowId = rng.hex(8);
  const assoc = [
    str('traceloop.association.properties.run_id', runId),
    str('traceloop.association.properties.prompt_version', promptVersion),
  ];
  let t = startMs + 1;
  const workerCount = 3 + rng.int(3);
  const first = rng.int(pipeline.workers.length);
  for (let w = 0; w < workerCount; w++) {
    const worker = pipeline.workers[(first + w) % pipeline.workers.length];
    const task = baseSpan(traceId, rng.hex(8), workflowId, `${worker}.task`, 1);
    task.startTimeUnixNano = nanos(t);
    const ctx = { traceId, parent: task.spanId, workflow: pipeline.workflow, runId, promptVersion, worker };
    const callCount = 1 + rng.int(3);
    for (let c = 0; c < callCount; c++) {
      const call = chatSpan(rng, ctx, t + 2);
      t = Number(BigInt(call.endTimeUnixNano) / 1000n) / 1000 + 1;
      out.push({ scope: 'openai', span: call });
    }
    task.endTimeUnixNano = nanos(t + 1);
    task.attributes.push(
      str('traceloop.span.kind', 'task'),
      str('traceloop.workflow.name', pipeline.workflow),
      str('traceloop.entity.name', worker),
      str('traceloop.entity.path', pipeline.workflow),
      int('traceloop.entity.version', 2),
      str('traceloop.entity.input', JSON.stringify({ args: [proseText(rng, 60)], kwargs: {} })),
      str('traceloop.entity.output', JSON.stringify(proseText(rng, 60))),
      ...assoc,
    );
    out.push({ scope: 'sdk', span: task });
    t += 2;
  }
  const workflow = baseSpan(traceId, workflowId, undefined, `${pipeline.workflow}.workflow`, 1);
  workflow.startTimeUnixNano = nanos(startMs);
  workflow.endTimeUnixNano = nanos(t + 1);
  workflow.attributes.push(
    str('traceloop.span.kind', 'workflow'),
    str('traceloop.workflow.name', pipeline.workflow),
    str('traceloop.entity.name', pipeline.workflow),
    ...assoc,
  );
  out.push({ scope: 'sdk', span: workflow });
}

const RESOURCE = {
  attributes: [
    str('service.name', 'bench-pipeline'),
    str('service.version', '1.4.2'),
    str('telemetry.sdk.language', 'nodejs'),
    str('telemetry.sdk.name', 'opentelemetry'),
    str('telemetry.sdk.version', '2.2.0'),
    str('process.runtime.name', 'nodejs'),
    str('process.runtime.version', '20.20.2'),
    int('process.pid', 4242),
    str('host.name', 'bench-host'),
  ],
  droppedAttributesCount: 0,
};
const SCOPES = {
  sdk: { name: '@traceloop/node-server-sdk', version: '0.27.0' },
  openai: { name: '@traceloop/instrumentation-openai', version: '0.27.0' },
};

function requestObject(spans: QueuedSpan[], ids: (span: JsonSpan) => Record<string, unknown>): Record<string, unknown> {
  const scopeSpans = (['sdk', 'openai'] as const)
    .map((scope) => ({ scope: SCOPES[scope], spans: spans.filter((s) => s.scope === scope).map((s) => ids(s.span)) }))
    .filter((s) => s.spans.length > 0);
  return { resourceSpans: [{ resource: RESOURCE, scopeSpans }] };
}

function encode(encoding: OtlpEncoding, spans: QueuedSpan[]): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify(requestObject(spans, (s) => ({ ...s }))));
  // Protobuf carries ids as bytes; everything else has the same (camelCase) field names as OTLP/JSON.
  const type = otlpTypes().traceRequest;
  const object = requestObject(spans, (s) => {
    const { traceId, spanId, parentSpanId, ...rest } = s;
    const ids: Record<string, unknown> = { traceId: Buffer.from(traceId, 'hex'), spanId: Buffer.from(spanId, 'hex') };
    if (parentSpanId !== undefined) ids.parentSpanId = Buffer.from(parentSpanId, 'hex');
    return { ...rest, ...ids };
  });
  return Buffer.from(type.encode(type.fromObject(object)).finish());
}

export function generateSpanBatches(options: SpanBatchOptions): SpanBatches {
  const rng = createRng(options.seed);
  const result: SpanBatches = { encoding: options.encoding, bodies: [], spansPerBody: [], spans: 0, callSpans: 0, stepSpans: 0, runs: 0, bytes: 0 };
  const averageSpansPerRun = 13;
  const runGapMs = 3_600_000 / Math.max(1, options.totalSpans / averageSpansPerRun);
  let nextRunStart = options.endTimeMs - 3_600_000;
  let queue: QueuedSpan[] = [];
  const flush = (count: number) => {
    const batch = queue.slice(0, count);
    queue = queue.slice(count);
    const body = encode(options.encoding, batch);
    result.bodies.push(body);
    result.spansPerBody.push(batch.length);
    for (const queued of batch) {
      if (queued.scope === 'openai') result.callSpans++;
      else result.stepSpans++;
    }
    result.bytes += body.length;
  };
  while (result.spans < options.totalSpans) {
    const before = queue.length;
    generateRun(rng, nextRunStart, queue);
    nextRunStart += runGapMs;
    result.runs++;
    const added = Math.min(queue.length - before, options.totalSpans - result.spans);
    // The last run is cut so the total is exact; its cut-off spans are simply never sent.
    queue.length = before + added;
    result.spans += added;
    while (queue.length >= options.batchSize) flush(options.batchSize);
  }
  if (queue.length > 0) flush(queue.length);
  return result;
}
