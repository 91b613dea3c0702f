// The worker rule (daemon/ingest/genai/workerAttribution.ts) per framework, on span shapes as each
// framework exports them (scope names and attributes taken from the real packages' spans), in one
// batch and span by span with children first (SimpleSpanProcessor order).
import assert from 'node:assert/strict';
import { normalizeTraceRequestJson } from '../../../daemon/ingest/otlp/normalize';
import { mapSpansToBatch, type CallLink } from '../../../daemon/ingest/genai/mapSpans';
import { RecentSpanIndex } from '../../../daemon/ingest/genai/spanIndex';
import type { CallRecord } from '../../../daemon/store/records';
import { TRACE_ID, jsonSpan, keyValues, type SpanSpec } from './otlpFixtures';

const T0 = 1730000000000;
const APP = 'my-app';

interface ScopedSpan extends SpanSpec {
  scope: string;
}

function request(spans: ScopedSpan[]): Record<string, unknown> {
  const scopes = [...new Set(spans.map((s) => s.scope))];
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues({ 'service.name': 'attribution-test' }) },
        scopeSpans: scopes.map((name) => ({ scope: { name, version: '1.0.0' }, spans: spans.filter((s) => s.scope === name).map(jsonSpan) })),
      },
    ],
  };
}

/** Maps all spans in one batch: the call's worker and step. */
function oneBatch(spans: ScopedSpan[]): CallRecord {
  const { spans: normalized } = normalizeTraceRequestJson(request(spans));
  const { batch } = mapSpansToBatch(normalized, { index: new RecentSpanIndex() });
  assert.equal(batch.calls.length, 1);
  return batch.calls[0];
}

/** Maps one span per batch in the given order; returns the call's final worker and step after the links. */
function spanBySpan(spans: ScopedSpan[]): { worker: string | null; stepId: string | null; links: CallLink[] } {
  const index = new RecentSpanIndex();
  let worker: string | null = null;
  let stepId: string | null = null;
  const links: CallLink[] = [];
  for (const span of spans) {
    const { spans: normalized } = normalizeTraceRequestJson(request([span]));
    const result = mapSpansToBatch(normalized, { index });
    for (const call of result.batch.calls) {
      worker = call.worker ?? null;
      stepId = call.stepId ?? null;
    }
    for (const link of result.callLinks) {
      links.push(link);
      worker = link.worker ?? worker;
      stepId = link.stepId ?? stepId;
    }
  }
  return { worker, stepId, links };
}

const id = (spanId: string) => `${TRACE_ID}:${spanId}`;

// Vercel AI SDK 6 telemetry: ai.generateText wraps ai.generateText.doGenerate (the model call).
function aiSdkTrace(appAttributes: Record<string, string>, functionId?: string): ScopedSpan[] {
  const telemetry: Record<string, string> = functionId !== undefined ? { 'ai.telemetry.functionId': functionId, 'resource.name': functionId } : {};
  return [
    { scope: 'ai', spanId: 'a000000000000003', parentSpanId: 'a000000000000002', name: 'ai.generateText.doGenerate', startMs: T0 + 2, durationMs: 50, attributes: { 'ai.operationId': 'ai.generateText.doGenerate', 'gen_ai.system': 'openai.chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 11, 'gen_ai.usage.output_tokens': 5, ...telemetry } },
    { scope: 'ai', spanId: 'a000000000000002', parentSpanId: 'a000000000000001', name: 'ai.generateText', startMs: T0 + 1, durationMs: 60, attributes: { 'ai.operationId': 'ai.generateText', 'ai.model.id': 'gpt-4o-mini', ...telemetry } },
    { scope: APP, spanId: 'a000000000000001', name: 'summarize', startMs: T0, durationMs: 70, attributes: appAttributes },
  ];
}

// OpenInference LangChain: RunnableSequence (CHAIN) > ChatOpenAI (LLM), under the app's span.
function langChainTrace(appAttributes: Record<string, string>): ScopedSpan[] {
  const scope = '@arizeai/openinference-instrumentation-langchain';
  return [
    { scope, spanId: 'b000000000000004', parentSpanId: 'b000000000000002', name: 'ChatOpenAI', startMs: T0 + 3, durationMs: 40, attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'llm.provider': 'openai', 'llm.token_count.prompt': 11, 'llm.token_count.completion': 5 } },
    { scope, spanId: 'b000000000000003', parentSpanId: 'b000000000000002', name: 'ChatPromptTemplate', startMs: T0 + 2, durationMs: 1, attributes: { 'openinference.span.kind': 'CHAIN' } },
    { scope, spanId: 'b000000000000002', parentSpanId: 'b000000000000001', name: 'RunnableSequence', startMs: T0 + 1, durationMs: 50, attributes: { 'openinference.span.kind': 'CHAIN' } },
    { scope: APP, spanId: 'b000000000000001', name: 'answer-question', startMs: T0, durationMs: 60, attributes: appAttributes },
  ];
}

// Traceloop node-server-sdk: withWorkflow > withTask > the OpenAI instrumentation's call span.
function traceloopTrace(outer?: Record<string, string>): ScopedSpan[] {
  const spans: ScopedSpan[] = [
    { scope: '@traceloop/instrumentation-openai', spanId: 'c000000000000003', parentSpanId: 'c000000000000002', name: 'openai.chat', kind: 3, startMs: T0 + 2, durationMs: 40, attributes: { 'llm.request.type': 'chat', 'gen_ai.system': 'OpenAI', 'gen_ai.request.model': 'gpt-4o-mini' } },
    { scope: '@traceloop/node-server-sdk', spanId: 'c000000000000002', parentSpanId: 'c000000000000001', name: 'extract.task', startMs: T0 + 1, durationMs: 50, attributes: { 'traceloop.span.kind': 'task', 'traceloop.entity.name': 'extract', 'traceloop.workflow.name': 'digest' } },
    { scope: '@traceloop/node-server-sdk', spanId: 'c000000000000001', parentSpanId: outer ? 'c000000000000000' : undefined, name: 'digest.workflow', startMs: T0, durationMs: 60, attributes: { 'traceloop.span.kind': 'workflow', 'traceloop.entity.name': 'digest', 'traceloop.workflow.name': 'digest' } },
  ];
  if (outer) spans.push({ scope: APP, spanId: 'c000000000000000', name: 'nightly-digest', startMs: T0 - 1, durationMs: 70, attributes: outer });
  return spans;
}

describe('worker attribution: the application names the worker, not the framework', () => {
  describe('Vercel AI SDK telemetry (ai.*)', () => {
    it('an ancestor with flowtune.worker wins over ai.generateText, in one batch and children first', () => {
      const spans = aiSdkTrace({ 'flowtune.worker': 'ai-otel' });
      const call = oneBatch(spans);
      assert.equal(call.worker, 'ai-otel');
      assert.equal(call.stepId, id('a000000000000002'), 'the wrapper span stays the call\'s step in the tree');
      const late = spanBySpan(spans);
      assert.equal(late.worker, 'ai-otel');
      assert.equal(late.stepId, id('a000000000000002'));
      assert.equal(late.links.at(-1)?.final, true);
    });

    it('the application\'s own span (no flowtune.worker) wins over the wrapper', () => {
      assert.equal(oneBatch(aiSdkTrace({})).worker, 'summarize');
      assert.equal(spanBySpan(aiSdkTrace({})).worker, 'summarize');
    });

    it('alone, the wrapper names the worker by its functionId, else by its span name', () => {
      const alone = (functionId?: string) => aiSdkTrace({}, functionId).slice(0, 2).map((s) => (s.spanId === 'a000000000000002' ? { ...s, parentSpanId: undefined } : s));
      assert.equal(oneBatch(alone('digest-writer')).worker, 'digest-writer');
      assert.equal(oneBatch(alone()).worker, 'ai.generateText');
      assert.equal(spanBySpan(alone()).worker, 'ai.generateText');
    });
  });

  describe('Vercel AI SDK 7 telemetry (@ai-sdk/otel, GenAI conventions)', () => {
    // invoke_agent (named by functionId) > "step 1" > chat, all from the "gen_ai" tracer.
    const trace = (app: boolean): ScopedSpan[] => [
      { scope: 'gen_ai', spanId: 'e000000000000004', parentSpanId: 'e000000000000003', name: 'chat gpt-4o-mini', startMs: T0 + 3, durationMs: 40, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini' } },
      { scope: 'gen_ai', spanId: 'e000000000000003', parentSpanId: 'e000000000000002', name: 'step 1', startMs: T0 + 2, durationMs: 45, attributes: { 'gen_ai.operation.name': 'agent_step' } },
      { scope: 'gen_ai', spanId: 'e000000000000002', parentSpanId: app ? 'e000000000000001' : undefined, name: 'invoke_agent gpt-4o-mini', startMs: T0 + 1, durationMs: 50, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'digest-writer' } },
      ...(app ? [{ scope: APP, spanId: 'e000000000000001', name: 'summarize', startMs: T0, durationMs: 60, attributes: { 'flowtune.worker': 'ai-otel' } }] : []),
    ];

    it('the application span wins; alone, the agent\'s functionId name beats "step 1"', () => {
      assert.equal(oneBatch(trace(true)).worker, 'ai-otel');
      assert.equal(spanBySpan(trace(true)).worker, 'ai-otel');
      assert.equal(oneBatch(trace(false)).worker, 'digest-writer');
      assert.equal(oneBatch(trace(false)).stepId, id('e000000000000003'));
    });
  });

  describe('LangChain through OpenInference', () => {
    it('the application\'s worker span wins over RunnableSequence, which stays a step', () => {
      const cases: Array<[Record<string, string>, string]> = [[{ 'flowtune.worker': 'qa' }, 'qa'], [{}, 'answer-question']];
      for (const [attrs, expected] of cases) {
        const call = oneBatch(langChainTrace(attrs));
        assert.equal(call.worker, expected);
        assert.equal(call.stepId, id('b000000000000002'));
        assert.equal(spanBySpan(langChainTrace(attrs)).worker, expected);
      }
    });

    it('without an application span, the nearest runnable names it', () => {
      const chainOnly = langChainTrace({}).slice(0, 3).map((s) => (s.spanId === 'b000000000000002' ? { ...s, parentSpanId: undefined } : s));
      assert.equal(oneBatch(chainOnly).worker, 'RunnableSequence');
    });
  });

  describe('Traceloop workflow and task spans', () => {
    it('name the worker after the task when nothing better exists', () => {
      assert.equal(oneBatch(traceloopTrace()).worker, 'extract');
      assert.equal(spanBySpan(traceloopTrace()).worker, 'extract');
    });

    it('lose to an enclosing application span with flowtune.worker', () => {
      const spans = traceloopTrace({ 'flowtune.worker': 'nightly' });
      assert.equal(oneBatch(spans).worker, 'nightly');
      const late = spanBySpan(spans);
      assert.equal(late.worker, 'nightly');
      assert.equal(late.stepId, id('c000000000000002'));
      // While the outer span was unknown, the call waited (links not final), then settled once.
      assert.deepEqual(late.links.map((l) => [l.worker, l.final]), [['extract', false], ['nightly', true]]);
    });
  });

  it('flowtune.worker on the call itself wins over everything', () => {
    const spans = aiSdkTrace({ 'flowtune.worker': 'outer' });
    spans[0].attributes = { ...spans[0].attributes, 'flowtune.worker': 'inner' };
    assert.equal(oneBatch(spans).worker, 'inner');
    assert.equal(spanBySpan(spans).worker, 'inner');
  });

  it('the nearest explicit worker wins over one further up', () => {
    const spans: ScopedSpan[] = [
      { scope: APP, spanId: 'd000000000000003', parentSpanId: 'd000000000000002', name: 'chat', startMs: T0 + 2, durationMs: 10, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini' } },
      { scope: APP, spanId: 'd000000000000002', parentSpanId: 'd000000000000001', name: 'step', startMs: T0 + 1, durationMs: 20, attributes: { 'flowtune.worker': 'near' } },
      { scope: APP, spanId: 'd000000000000001', name: 'root', startMs: T0, durationMs: 30, attributes: { 'flowtune.worker': 'far' } },
    ];
    assert.equal(oneBatch(spans).worker, 'near');
    const late = spanBySpan(spans);
    assert.equal(late.worker, 'near');
    assert.equal(late.links.length, 1, 'settled as soon as the explicit worker arrived');
  });
});
