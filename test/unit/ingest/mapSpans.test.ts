import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normalizeTraceRequestJson, normalizeTraceRequestProtobuf } from '../../../daemon/ingest/otlp/normalize';
import { mapSpansToBatch, type MapSpansOptions } from '../../../daemon/ingest/genai/mapSpans';
import { promptFingerprint } from '../../../daemon/ingest/genai/promptFingerprint';
import { RecentSpanIndex } from '../../../daemon/ingest/genai/spanIndex';
import type { CallRecord } from '../../../daemon/store/records';
import { TRACE_ID, traceRequest, traceRequestToProtobuf, type Plain, type SpanSpec } from './otlpFixtures';

const T0 = 1730000000000;

function mapSpecs(specs: SpanSpec[], resource?: Record<string, Plain>, options?: MapSpansOptions) {
  const { spans, rejected } = normalizeTraceRequestJson(traceRequest(specs, resource));
  assert.deepEqual(rejected, []);
  return mapSpansToBatch(spans, options);
}

function onlyCall(calls: CallRecord[]): CallRecord {
  assert.equal(calls.length, 1);
  return calls[0];
}

const SYSTEM = 'You summarize documents in 3 bullet points.';
const USER = 'Summarize: the quick brown fox.';
const ANSWER = '- a fox\n- quick\n- brown';

describe('GenAI mapping: OTel GenAI (Traceloop instrumentation-openai 0.27) under a manual run and worker', () => {
  const specs: SpanSpec[] = [
    { spanId: '1000000000000001', name: 'run summarize-docs', startMs: T0, durationMs: 2000, attributes: { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'summarize-docs' }, status: { code: 1 } },
    { spanId: '1000000000000002', parentSpanId: '1000000000000001', name: 'extract', startMs: T0 + 10, durationMs: 900, attributes: { 'code.filepath': 'src/pipeline.ts', 'code.lineno': 42 } },
    {
      spanId: '1000000000000003',
      parentSpanId: '1000000000000002',
      name: 'chat gpt-4o-mini',
      kind: 3,
      startMs: T0 + 20,
      durationMs: 850,
      attributes: {
        'gen_ai.provider.name': 'openai',
        'gen_ai.operation.name': 'chat',
        'llm.request.type': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.request.max_tokens': 50,
        'gen_ai.request.temperature': 0.2,
        'gen_ai.request.top_p': 0.9,
        'gen_ai.input.messages': JSON.stringify([
          { role: 'system', parts: [{ type: 'text', content: SYSTEM }] },
          { role: 'user', parts: [{ type: 'text', content: USER }] },
        ]),
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.response.id': 'chatcmpl-1',
        'gen_ai.usage.input_tokens': 11,
        'gen_ai.usage.output_tokens': 5,
        'gen_ai.usage.total_tokens': 16,
        'gen_ai.usage.cache_read_input_tokens': 3,
        'gen_ai.usage.reasoning_tokens': 1,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' }]),
      },
    },
  ];

  it('makes one run, two nested steps and a call with every field', () => {
    const { batch } = mapSpecs(specs);
    assert.equal(batch.runs.length, 1);
    assert.deepEqual(batch.runs[0], { id: TRACE_ID, name: 'summarize-docs', source: 'otlp', startedAt: T0, endedAt: T0 + 2000, status: 'ok', serviceName: 'test-app', attributes: null });
    assert.deepEqual(
      batch.steps.map((s) => [s.id, s.parentStepId, s.worker, s.kind, s.status]),
      [
        [`${TRACE_ID}:1000000000000001`, null, 'summarize-docs', 'workflow', 'ok'],
        [`${TRACE_ID}:1000000000000002`, `${TRACE_ID}:1000000000000001`, 'extract', 'span', 'unset'],
      ],
    );
    assert.deepEqual(batch.steps[1].attributes, { sourceFile: 'src/pipeline.ts', sourceLine: 42 });
    const call = onlyCall(batch.calls);
    assert.deepEqual(call, {
      id: `${TRACE_ID}:1000000000000003`,
      runId: TRACE_ID,
      stepId: `${TRACE_ID}:1000000000000002`,
      worker: 'extract',
      source: 'otlp',
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      temperature: 0.2,
      maxTokens: 50,
      topP: 0.9,
      stream: null,
      inputTokens: 11,
      outputTokens: 5,
      cachedTokens: 3,
      reasoningTokens: 1,
      responseId: 'chatcmpl-1',
      costUsd: null,
      costSource: null,
      startedAt: T0 + 20,
      latencyMs: 850,
      ttftMs: null,
      finishReason: 'stop',
      status: 'ok',
      httpStatus: null,
      errorType: null,
      errorMessage: null,
      promptId: null,
      promptVersion: null,
      promptFingerprint: promptFingerprint(SYSTEM),
      sourceFile: 'src/pipeline.ts',
      sourceLine: 42,
      inputText: JSON.stringify([{ role: 'system', content: SYSTEM }, { role: 'user', content: USER }]),
      outputText: ANSWER,
      traceId: TRACE_ID,
      spanId: '1000000000000003',
    });
  });

  it('maps the same rows from protobuf as from JSON, and the same ids when re-sent', () => {
    const request = traceRequest(specs);
    const fromJson = mapSpansToBatch(normalizeTraceRequestJson(request).spans);
    const fromPb = mapSpansToBatch(normalizeTraceRequestProtobuf(traceRequestToProtobuf(request)).spans);
    assert.deepStrictEqual(fromPb, fromJson);
    assert.deepStrictEqual(mapSpansToBatch(normalizeTraceRequestJson(request).spans), fromJson);
  });

  it('applies contentMode hash and none to input and output text', () => {
    const hashed = onlyCall(mapSpecs(specs, undefined, { contentMode: 'hash' }).batch.calls);
    assert.match(hashed.inputText ?? '', /^[0-9a-f]{64}$/);
    assert.match(hashed.outputText ?? '', /^[0-9a-f]{64}$/);
    assert.equal(hashed.promptFingerprint, promptFingerprint(SYSTEM), 'the fingerprint is taken before hashing');
    const none = onlyCall(mapSpecs(specs, undefined, { contentMode: 'none' }).batch.calls);
    assert.equal(none.inputText, null);
    assert.equal(none.outputText, null);
  });
});

describe('GenAI mapping: OpenInference (Arize instrumentation-openai 4.2.7)', () => {
  const invocation = { model: 'gpt-4o-mini', temperature: 0, max_completion_tokens: 50, top_p: 0.9, stream: false };
  const specs: SpanSpec[] = [
    { spanId: '2000000000000001', name: 'summarize', startMs: T0, durationMs: 1000, attributes: { 'openinference.span.kind': 'CHAIN', 'input.value': 'doc text' } },
    {
      spanId: '2000000000000002',
      parentSpanId: '2000000000000001',
      name: 'OpenAI Chat Completions',
      kind: 1,
      startMs: T0 + 5,
      durationMs: 400,
      status: { code: 1 },
      attributes: {
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o-mini-2024-07-18',
        'llm.system': 'openai',
        'llm.provider': 'openai',
        'llm.invocation_parameters': JSON.stringify(invocation),
        'input.value': JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: USER }] }),
        'input.mime_type': 'application/json',
        'output.value': JSON.stringify({ id: 'chatcmpl-2', choices: [{ index: 0, message: { role: 'assistant', content: ANSWER }, finish_reason: 'stop' }] }),
        'output.mime_type': 'application/json',
        'llm.input_messages.0.message.role': 'system',
        'llm.input_messages.0.message.content': SYSTEM,
        'llm.input_messages.1.message.role': 'user',
        'llm.input_messages.1.message.content': USER,
        'llm.output_messages.0.message.role': 'assistant',
        'llm.output_messages.0.message.content': ANSWER,
        'llm.finish_reason': 'stop',
        'llm.token_count.prompt': 11,
        'llm.token_count.completion': 5,
        'llm.token_count.total': 16,
        'llm.token_count.prompt_details.cache_read': 4,
        'llm.token_count.completion_details.reasoning': 2,
        'llm.cost.total': 0.000123,
        'llm.prompt_template.template': 'Summarize {{doc}} in 3 bullet points.',
        'llm.prompt_template.version': 'v7',
        'prompt.id': 'summarize-prompt',
      },
    },
    {
      spanId: '2000000000000003',
      parentSpanId: '2000000000000001',
      name: 'OpenAI Embeddings',
      startMs: T0 + 500,
      durationMs: 50,
      attributes: { 'openinference.span.kind': 'EMBEDDING', 'embedding.model_name': 'text-embedding-3-small', 'llm.system': 'openai', 'embedding.embeddings.0.embedding.text': 'hello', 'llm.token_count.prompt': 1 },
    },
  ];

  it('reads parameters from invocation_parameters JSON (temperature 0 kept) and the request model from it', () => {
    const { batch } = mapSpecs(specs);
    const chat = batch.calls.find((c) => c.operation === 'chat');
    assert.ok(chat);
    assert.equal(chat.temperature, 0);
    assert.equal(chat.maxTokens, 50, 'max_completion_tokens');
    assert.equal(chat.topP, 0.9);
    assert.equal(chat.stream, false);
    assert.equal(chat.requestModel, 'gpt-4o-mini', 'llm.model_name is the response model');
    assert.equal(chat.responseModel, 'gpt-4o-mini-2024-07-18');
    assert.equal(chat.provider, 'openai');
    assert.equal(chat.inputTokens, 11);
    assert.equal(chat.outputTokens, 5);
    assert.equal(chat.cachedTokens, 4);
    assert.equal(chat.reasoningTokens, 2);
    assert.equal(chat.costUsd, 0.000123);
    assert.equal(chat.costSource, 'span');
    assert.equal(chat.finishReason, 'stop');
    assert.equal(chat.status, 'ok');
    assert.equal(chat.promptId, 'summarize-prompt');
    assert.equal(chat.promptVersion, 'v7');
    assert.equal(chat.promptFingerprint, promptFingerprint('Summarize {{doc}} in 3 bullet points.'));
    assert.equal(chat.inputText, JSON.stringify([{ role: 'system', content: SYSTEM }, { role: 'user', content: USER }]));
    assert.equal(chat.outputText, ANSWER);
    assert.equal(chat.latencyMs, 400);
    assert.equal(chat.worker, 'summarize');
    assert.equal(chat.stepId, `${TRACE_ID}:2000000000000001`);
    assert.deepEqual(batch.steps.map((s) => [s.worker, s.kind]), [['summarize', 'chain']]);
  });

  it('maps the EMBEDDING span to an embeddings call', () => {
    const embed = mapSpecs(specs).batch.calls.find((c) => c.operation === 'embeddings');
    assert.ok(embed);
    assert.equal(embed.requestModel, 'text-embedding-3-small');
    assert.equal(embed.provider, 'openai');
    assert.equal(embed.inputTokens, 1);
    assert.equal(embed.worker, 'summarize');
  });

  it('falls back to input.value / output.value JSON when indexed messages are absent', () => {
    const lean = structuredClone(specs[1]);
    for (const k of Object.keys(lean.attributes ?? {})) if (k.startsWith('llm.input_messages') || k.startsWith('llm.output_messages')) delete lean.attributes?.[k];
    delete lean.attributes?.['llm.prompt_template.template'];
    const call = onlyCall(mapSpecs([lean]).batch.calls);
    assert.equal(call.inputText, JSON.stringify([{ role: 'system', content: SYSTEM }, { role: 'user', content: USER }]));
    assert.equal(call.outputText, ANSWER);
    assert.equal(call.promptFingerprint, promptFingerprint(SYSTEM));
    assert.equal(call.worker, null, 'no step above it');
    assert.equal(call.stepId, `${TRACE_ID}:2000000000000001`, 'without an index the raw parent id stands in');
  });
});

describe('GenAI mapping: Traceloop SDK workflow, task and association properties', () => {
  const assoc = { 'traceloop.association.properties.run_id': 'run-42', 'traceloop.association.properties.prompt_version': 'v3' };
  const specs: SpanSpec[] = [
    { spanId: '3000000000000001', name: 'summarize_docs.workflow', startMs: T0, durationMs: 3000, status: { code: 2, message: 'task failed' }, attributes: { 'traceloop.span.kind': 'workflow', 'traceloop.workflow.name': 'summarize_docs', 'traceloop.entity.name': 'summarize_docs', ...assoc } },
    { spanId: '3000000000000002', parentSpanId: '3000000000000001', name: 'extract.task', startMs: T0 + 1, durationMs: 1500, attributes: { 'traceloop.span.kind': 'task', 'traceloop.workflow.name': 'summarize_docs', 'traceloop.entity.name': 'extract', 'traceloop.entity.version': 2, 'traceloop.entity.input': '{"x":1}', ...assoc } },
    {
      spanId: '3000000000000003',
      parentSpanId: '3000000000000002',
      name: 'chat gpt-4o-mini',
      kind: 3,
      startMs: T0 + 2,
      durationMs: 700,
      attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 20, 'gen_ai.usage.output_tokens': 7, 'traceloop.workflow.name': 'summarize_docs', ...assoc },
    },
  ];

  it('uses the association run_id as the run, the workflow name, task worker and prompt_version', () => {
    const { batch } = mapSpecs(specs);
    assert.deepEqual(batch.runs.map((r) => [r.id, r.name, r.status, r.startedAt, r.endedAt]), [['run-42', 'summarize_docs', 'error', T0, T0 + 3000]]);
    assert.deepEqual(batch.steps.map((s) => [s.worker, s.kind, s.runId, s.status, s.errorMessage]), [
      ['summarize_docs', 'workflow', 'run-42', 'error', 'task failed'],
      ['extract', 'task', 'run-42', 'unset', null],
    ]);
    const call = onlyCall(batch.calls);
    assert.equal(call.runId, 'run-42');
    assert.equal(call.worker, 'extract');
    assert.equal(call.promptVersion, 'v3');
    assert.equal(call.inputTokens, 20);
  });

  it('lets flowtune.run.id on the resource win and flowtune.worker on the call name the worker', () => {
    const withWorker = structuredClone(specs);
    Object.assign(withWorker[2].attributes ?? {}, { 'flowtune.worker': 'extractor-v2', 'flowtune.prompt.id': 'p-extract', 'flowtune.prompt.version': '9' });
    const { batch } = mapSpecs(withWorker, { 'service.name': 'svc', 'flowtune.run.id': 'cli-run-7' });
    assert.deepEqual(batch.runs.map((r) => r.id), ['cli-run-7']);
    const call = onlyCall(batch.calls);
    assert.equal(call.worker, 'extractor-v2');
    assert.equal(call.promptId, 'p-extract');
    assert.equal(call.promptVersion, '9');
  });
});

describe('GenAI mapping: deprecated names and older OpenLLMetry', () => {
  it('reads gen_ai.system, prompt/completion_tokens and indexed gen_ai.prompt.N / gen_ai.completion.N', () => {
    const call = onlyCall(
      mapSpecs([
        {
          spanId: '4000000000000001',
          name: 'openai.chat',
          kind: 3,
          startMs: T0,
          durationMs: 300,
          attributes: {
            'gen_ai.system': 'OpenAI',
            'llm.request.type': 'chat',
            'gen_ai.request.model': 'gpt-3.5-turbo',
            'gen_ai.request.temperature': 0,
            'gen_ai.usage.prompt_tokens': 30,
            'gen_ai.usage.completion_tokens': 12,
            'gen_ai.prompt.0.role': 'system',
            'gen_ai.prompt.0.content': 'Be terse. Today is 2024-07-18.',
            'gen_ai.prompt.1.role': 'user',
            'gen_ai.prompt.1.content': 'hi',
            'gen_ai.completion.0.role': 'assistant',
            'gen_ai.completion.0.content': 'hello',
            'gen_ai.completion.0.finish_reason': 'length',
          },
        },
      ]).batch.calls,
    );
    assert.equal(call.provider, 'OpenAI');
    assert.equal(call.operation, 'chat');
    assert.equal(call.temperature, 0);
    assert.equal(call.inputTokens, 30);
    assert.equal(call.outputTokens, 12);
    assert.equal(call.finishReason, 'length');
    assert.equal(call.inputText, JSON.stringify([{ role: 'system', content: 'Be terse. Today is 2024-07-18.' }, { role: 'user', content: 'hi' }]));
    assert.equal(call.outputText, 'hello');
    assert.equal(call.promptFingerprint, promptFingerprint('Be terse. Today is 1999-01-01.'), 'numbers are masked');
  });

  it('maps the REFERENCES B 2.3 minimal payload', () => {
    const body = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/minimal-genai.json'), 'utf8')) as unknown;
    const { batch } = mapSpansToBatch(normalizeTraceRequestJson(body).spans);
    const call = onlyCall(batch.calls);
    assert.deepEqual(
      [call.provider, call.operation, call.requestModel, call.responseModel, call.temperature, call.maxTokens, call.inputTokens, call.outputTokens, call.finishReason, call.promptId, call.latencyMs, call.status, call.worker],
      ['openai', 'chat', 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 0.2, 256, 120, 42, 'stop', 'summarize', 850, 'ok', null],
    );
    assert.deepEqual(batch.runs[0], { id: '5b8efff798038103d269b633813fc60c', name: 'chat gpt-4o-mini', source: 'otlp', startedAt: 1730000000000, endedAt: 1730000000850, status: 'ok', serviceName: 'my-llm-app', attributes: { conversationId: 'run-42' } });
    assert.deepEqual(batch.steps, []);
  });
});

describe('GenAI mapping: errors, streaming and scores', () => {
  it('marks a failed call with error.type, status message and exception events', () => {
    const call = onlyCall(
      mapSpecs([
        {
          spanId: '5000000000000001',
          name: 'chat fail-model',
          startMs: T0,
          durationMs: 30,
          status: { code: 2, message: '400 model not found' },
          attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'fail-model', 'error.type': 'BadRequestError', 'http.response.status_code': 400 },
          events: [{ name: 'exception', atMs: T0 + 29, attributes: { 'exception.type': 'BadRequestError', 'exception.message': 'model not found' } }],
        },
      ]).batch.calls,
    );
    assert.deepEqual([call.status, call.errorType, call.errorMessage, call.httpStatus], ['error', 'BadRequestError', '400 model not found', 400]);
    const fromEvent = onlyCall(
      mapSpecs([
        { spanId: '5000000000000002', name: 'chat', startMs: T0, durationMs: 30, status: { code: 2 }, attributes: { 'gen_ai.operation.name': 'chat' }, events: [{ name: 'exception', atMs: T0 + 1, attributes: { 'exception.type': 'APIConnectionError', 'exception.message': 'ECONNRESET' } }] },
      ]).batch.calls,
    );
    assert.deepEqual([fromEvent.status, fromEvent.errorType, fromEvent.errorMessage], ['error', 'APIConnectionError', 'ECONNRESET']);
  });

  it('reads stream flag and TTFT (seconds to ms)', () => {
    const call = onlyCall(
      mapSpecs([{ spanId: '5000000000000003', name: 'chat', startMs: T0, durationMs: 900, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.stream': true, 'gen_ai.response.time_to_first_chunk': 0.25 } }]).batch.calls,
    );
    assert.equal(call.stream, true);
    assert.equal(call.ttftMs, 250);
  });

  it('turns gen_ai.evaluation.result events and flowtune.quality into scores on the call', () => {
    const { batch } = mapSpecs([
      {
        spanId: '6000000000000001',
        name: 'chat',
        startMs: T0,
        durationMs: 100,
        attributes: { 'gen_ai.operation.name': 'chat', 'flowtune.quality': 0.8 },
        events: [
          { name: 'gen_ai.evaluation.result', atMs: T0 + 200, attributes: { 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 0.9, 'gen_ai.evaluation.score.label': 'relevant', 'gen_ai.evaluation.explanation': 'on topic' } },
          { name: 'gen_ai.evaluation.result', atMs: T0 + 201, attributes: { 'gen_ai.evaluation.name': 'stars', 'gen_ai.evaluation.score.value': 4 } },
          { name: 'gen_ai.evaluation.result', atMs: T0 + 202, attributes: { 'gen_ai.evaluation.name': 'stars-scaled', 'gen_ai.evaluation.score.value': 4, 'gen_ai.evaluation.score.min': 1, 'gen_ai.evaluation.score.max': 5 } },
        ],
      },
      { spanId: '6000000000000002', parentSpanId: '6000000000000001', name: 'judge', startMs: T0 + 100, durationMs: 50, events: [{ name: 'gen_ai.evaluation.result', atMs: T0 + 150, attributes: { 'gen_ai.evaluation.name': 'faithful', 'gen_ai.evaluation.score.label': 'pass' } }] },
    ]);
    const callId = `${TRACE_ID}:6000000000000001`;
    assert.deepEqual(
      batch.scores.map((s) => [s.callId, s.runId, s.name, s.value, s.rawValue, s.label, s.comment, s.source, s.createdAt]),
      [
        [callId, TRACE_ID, 'quality', 0.8, 0.8, null, null, 'app', T0 + 100],
        [callId, TRACE_ID, 'relevance', 0.9, 0.9, 'relevant', 'on topic', 'otel_evaluation', T0 + 200],
        [callId, TRACE_ID, 'stars', null, 4, null, null, 'otel_evaluation', T0 + 201],
        [callId, TRACE_ID, 'stars-scaled', 0.75, 4, null, null, 'otel_evaluation', T0 + 202],
        [callId, TRACE_ID, 'faithful', null, null, 'pass', null, 'otel_evaluation', T0 + 150],
      ],
    );
  });
});

describe('GenAI mapping: spans arriving across batches (RecentSpanIndex)', () => {
  it('links a call that arrived before its worker and run spans', () => {
    const index = new RecentSpanIndex();
    const chat: SpanSpec = { spanId: '7000000000000003', parentSpanId: '7000000000000002', name: 'chat', startMs: T0 + 2, durationMs: 100, attributes: { 'gen_ai.operation.name': 'chat' } };
    const worker: SpanSpec = { spanId: '7000000000000002', parentSpanId: '7000000000000001', name: 'write-summary', startMs: T0 + 1, durationMs: 200 };
    const root: SpanSpec = { spanId: '7000000000000001', name: 'pipeline', startMs: T0, durationMs: 300, attributes: { 'gen_ai.operation.name': 'invoke_workflow' } };

    const first = mapSpecs([chat], undefined, { index });
    assert.equal(onlyCall(first.batch.calls).stepId, null);
    assert.equal(first.batch.calls[0].worker, null);

    const second = mapSpecs([worker], undefined, { index });
    assert.deepEqual(second.batch.steps.map((s) => [s.id, s.worker, s.kind, s.parentStepId]), [[`${TRACE_ID}:7000000000000002`, 'write-summary', 'span', null]]);
    // The root may still carry flowtune.worker, which would win: linked, but not final yet.
    assert.deepEqual(second.callLinks, [{ callId: `${TRACE_ID}:7000000000000003`, stepId: `${TRACE_ID}:7000000000000002`, worker: 'write-summary', final: false }]);

    const third = mapSpecs([root], undefined, { index });
    assert.deepEqual(third.callLinks, [{ callId: `${TRACE_ID}:7000000000000003`, stepId: `${TRACE_ID}:7000000000000002`, worker: 'write-summary', final: true }]);
    assert.deepEqual(third.batch.steps.map((s) => [s.worker, s.kind]), [['pipeline', 'workflow']]);
    assert.deepEqual(third.stepLinks, [{ stepId: `${TRACE_ID}:7000000000000002`, parentStepId: `${TRACE_ID}:7000000000000001` }]);
    assert.deepEqual(third.batch.runs.map((r) => [r.id, r.name, r.startedAt, r.endedAt]), [[TRACE_ID, 'pipeline', T0, T0 + 300]]);
  });

  it('resolves a call whose worker arrived earlier directly', () => {
    const index = new RecentSpanIndex();
    mapSpecs([{ spanId: '8000000000000002', name: 'agent', startMs: T0, durationMs: 500, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'researcher' } }], undefined, { index });
    const later = mapSpecs([{ spanId: '8000000000000003', parentSpanId: '8000000000000002', name: 'chat', startMs: T0 + 1, durationMs: 10, attributes: { 'gen_ai.operation.name': 'chat' } }], undefined, { index });
    const call = onlyCall(later.batch.calls);
    assert.equal(call.worker, 'researcher');
    assert.equal(call.stepId, `${TRACE_ID}:8000000000000002`);
    assert.deepEqual(later.callLinks, []);
  });
});
