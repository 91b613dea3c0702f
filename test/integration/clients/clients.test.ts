// One real client from npm per block, each against a real daemon and the fake upstream: what the
// daemon stores must be what the upstream sent (model, tokens, cost), with the worker the
// application named and the run/step tree. The client scripts hold the README's snippets.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../support/daemonHarness';
import { RESPONSES_USAGE, TOOL_USAGE, USAGE } from '../../support/fakeOpenAI';
import { CLIENT_NODE, assertCost, runClient, snippet, type ClientRun, type Row } from './clientHarness';

const byWorker = (rows: Row[], worker: string): Row[] => rows.filter((r) => r.worker === worker);
const one = (rows: Row[], worker: string): Row => {
  const found = byWorker(rows, worker);
  assert.equal(found.length, 1, `one call for ${worker}: ${JSON.stringify(rows.map((r) => r.worker))}`);
  return found[0];
};

function assertChat(call: Row, usage: { prompt_tokens: number; completion_tokens: number } = USAGE): void {
  assert.equal(call.request_model, 'gpt-4o-mini');
  assert.equal(call.input_tokens, usage.prompt_tokens);
  assert.equal(call.output_tokens, usage.completion_tokens);
  assertCost(call, usage.prompt_tokens, usage.completion_tokens);
  assert.equal(call.status, 'ok');
  assert.ok(Number(call.latency_ms) > 0 && Number(call.latency_ms) < 30_000, `latency ${String(call.latency_ms)}`);
}

/** The step a call sits under, and that step's ancestors, by name from the call up. */
function stepPath(run: ClientRun, call: Row): string[] {
  const steps = new Map(run.steps.map((s) => [s.id, s]));
  const names: string[] = [];
  for (let step = steps.get(call.step_id); step !== undefined; step = steps.get(step.parent_step_id)) names.push(String(step.worker));
  return names;
}

function workersInAggregates(run: ClientRun): Promise<Array<{ worker: string; calls: number }>> {
  return run.daemon
    .request('/v1/workers?group=worker')
    .then((r) => r.json() as Promise<{ workers: Array<{ worker: string; calls: number }> }>)
    .then((b) => b.workers.map(({ worker, calls }) => ({ worker, calls })).sort((a, b) => a.worker.localeCompare(b.worker)));
}

const clientNode = spawnSync(CLIENT_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();

describe(`works with: real clients from npm against a real daemon (clients on Node ${clientNode})`, function () {
  this.timeout(60_000);

  describe('openai through the proxy', () => {
    let run: ClientRun;
    before(async () => (run = await runClient('openaiProxy.mjs', 'proxy', 8)));
    after(() => run.close());

    it('records chat, both streams, the tool call and its follow-up with the upstream usage and cost', () => {
      for (const worker of ['openai-chat', 'openai-stream', 'openai-stream-usage']) assertChat(one(run.calls, worker));
      assert.equal(one(run.calls, 'openai-stream').stream, 1);
      assert.equal(one(run.calls, 'openai-stream-usage').stream, 1);
      const [toolCall, followUp] = byWorker(run.calls, 'openai-tools');
      assertChat(toolCall, TOOL_USAGE);
      assert.equal(toolCall.finish_reason, 'tool_calls');
      assert.match(String(toolCall.output_text), /get_weather/);
      assertChat(followUp);
    });

    it('records the Responses API, plain and streamed, and embeddings', () => {
      const usage = { prompt_tokens: RESPONSES_USAGE.input_tokens, completion_tokens: RESPONSES_USAGE.output_tokens };
      for (const worker of ['openai-responses', 'openai-responses-stream']) {
        const call = one(run.calls, worker);
        assert.equal(call.operation, 'responses');
        assertChat(call, usage);
      }
      assert.equal(one(run.calls, 'openai-responses-stream').stream, 1);
      const embeddings = one(run.calls, 'openai-embeddings');
      assert.equal(embeddings.operation, 'embeddings');
      assert.equal(embeddings.input_tokens, 8);
      assert.ok(Number(embeddings.cost_usd) > 0);
    });

    it('groups every call into the run named by x-flowtune-run', () => {
      assert.deepEqual([...new Set(run.calls.map((c) => c.run_id))], ['client-openai']);
      assert.doesNotMatch(JSON.stringify(run.calls), /sk-test-key/);
    });
  });

  describe('the Vercel AI SDK (ai + @ai-sdk/openai) through the proxy', () => {
    let run: ClientRun;
    before(async () => (run = await runClient('aiSdkProxy.mjs', 'proxy', 3)));
    after(() => run.close());

    it('records generateText, streamText (usage from the stream) and the Responses API under their workers', () => {
      assertChat(one(run.calls, 'ai-summarize'));
      const streamed = one(run.calls, 'ai-stream');
      assertChat(streamed);
      assert.equal(streamed.stream, 1);
      const responses = one(run.calls, 'ai-responses');
      assert.equal(responses.operation, 'responses');
      assertChat(responses, { prompt_tokens: RESPONSES_USAGE.input_tokens, completion_tokens: RESPONSES_USAGE.output_tokens });
      assert.deepEqual([...new Set(run.calls.map((c) => c.run_id))], ['client-ai-proxy']);
    });
  });

  describe('the Vercel AI SDK through its OpenTelemetry telemetry', () => {
    let run: ClientRun;
    before(async () => (run = await runClient('aiSdkTelemetry.cjs', 'otlp', 3)));
    after(() => run.close());

    it('names the worker after the application span, not ai.generateText / ai.streamText', async () => {
      assertChat(one(run.calls, 'ai-otel'));
      assertChat(one(run.calls, 'ai-otel-stream'));
      assert.deepEqual(await workersInAggregates(run), [
        { worker: 'ai-otel', calls: 1 },
        { worker: 'ai-otel-stream', calls: 1 },
        { worker: 'unwrapped-fn', calls: 1 },
      ]);
    });

    // AI SDK 6: ai.generateText / ai.streamText; 7 (@ai-sdk/otel): invoke_agent > "step 1".
    const sdkSpan = /^(ai\.(generate|stream)Text|invoke_agent .*|step \d+)$/;

    it('keeps the SDK spans as steps of the tree, under the application span', () => {
      for (const worker of ['ai-otel', 'ai-otel-stream']) {
        const path = stepPath(run, one(run.calls, worker));
        assert.equal(path.at(-1), worker, `${worker} heads ${JSON.stringify(path)}`);
        assert.ok(path.length >= 2 && path.slice(0, -1).every((name) => sdkSpan.test(name)), JSON.stringify(path));
      }
      assert.equal(one(run.calls, 'ai-otel').run_id, one(run.calls, 'ai-otel-stream').run_id);
    });

    it('without an application span, names the worker by the functionId', () => {
      const call = one(run.calls, 'unwrapped-fn');
      assertChat(call);
      const path = stepPath(run, call);
      assert.ok(path.length >= 1 && path.every((name) => sdkSpan.test(name) || name === 'unwrapped-fn'), JSON.stringify(path));
    });
  });

  describe('@opentelemetry/instrumentation-openai (OTel GenAI conventions)', () => {
    let run: ClientRun;
    before(async () => (run = await runClient('otelOpenAI.cjs', 'otlp', 4)));
    after(() => run.close());

    it('records chat, the stream (include_usage) and embeddings under the application workers', () => {
      const noUsage = one(run.calls, 'otel-stream-no-usage');
      assert.equal(noUsage.input_tokens, null, 'a stream without include_usage reports no tokens to an instrumentation');
      assertChat(one(run.calls, 'otel-summarize'));
      assertChat(one(run.calls, 'otel-stream'));
      const embed = one(run.calls, 'otel-embed');
      assert.equal(embed.operation, 'embeddings');
      assert.equal(embed.input_tokens, 8);
      assert.deepEqual(stepPath(run, one(run.calls, 'otel-summarize')), ['otel-summarize']);
      assert.equal(new Set(run.calls.map((c) => c.run_id)).size, 1);
    });
  });

  describe('the same client through the proxy and an instrumentation at once', () => {
    let run: ClientRun;
    before(async () => (run = await runClient('otelOpenAI.cjs', 'proxy', 4)));
    after(() => run.close());

    it('stores each call once: the proxy\'s measurements, the instrumentation\'s place in the tree', async () => {
      assert.deepEqual(run.calls.map((c) => c.source), ['proxy', 'proxy', 'proxy', 'proxy']);
      assertChat(one(run.calls, 'otel-summarize'));
      assertChat(one(run.calls, 'otel-stream'));
      // The proxy asked the upstream for the usage the client did not: tokens the instrumentation never saw.
      assertChat(one(run.calls, 'otel-stream-no-usage'));
      for (const call of run.calls) {
        assert.match(String(call.span_id), /^[0-9a-f]{16}$/);
        assert.ok(call.step_id, 'placed under its step');
      }
      assert.deepEqual(stepPath(run, one(run.calls, 'otel-summarize')), ['otel-summarize']);
      assert.equal(new Set(run.calls.map((c) => c.run_id)).size, 1, 'the trace is the run');
      const workers = await workersInAggregates(run);
      assert.deepEqual(workers.map((w) => [w.worker, w.calls]), [['otel-embed', 1], ['otel-stream', 1], ['otel-stream-no-usage', 1], ['otel-summarize', 1]]);
    });
  });

  describe('@langchain/openai with OpenInference\'s LangChain instrumentation', () => {
    let run: ClientRun;
    before(async () => (run = await runClient('langchain.cjs', 'otlp', 2)));
    after(() => run.close());

    it('names the worker after the application span, not RunnableSequence, invoked and streamed', async () => {
      const calls = byWorker(run.calls, 'langchain-qa').concat(byWorker(run.calls, 'langchain-stream'));
      assert.equal(calls.length, 2);
      for (const call of calls) assertChat(call);
      assert.deepEqual(await workersInAggregates(run), [
        { worker: 'langchain-qa', calls: 1 },
        { worker: 'langchain-stream', calls: 1 },
      ]);
    });

    it('keeps the chain as a step under the application span', () => {
      assert.deepEqual(stepPath(run, one(run.calls, 'langchain-qa')), ['RunnableSequence', 'langchain-qa']);
      assert.ok(run.steps.some((s) => s.worker === 'ChatPromptTemplate'), 'the prompt runnable is a step too');
    });
  });

  describe('@traceloop/node-server-sdk', () => {
    let run: ClientRun;
    before(async () => (run = await runClient('traceloop.cjs', 'otlp', 2)));
    after(() => run.close());

    it('names the worker after the task, under its workflow', () => {
      const call = one(run.calls, 'extract');
      assertChat(call);
      assert.deepEqual(stepPath(run, call), ['extract', 'digest']);
      assert.deepEqual(run.runs.map((r) => r.name).sort(), ['digest', 'digest-stream']);
    });

    it('records the streamed call under its task (tokens: Traceloop exports its own tiktoken estimate for streams)', () => {
      const call = one(run.calls, 'write');
      assert.equal(call.request_model, 'gpt-4o-mini');
      assert.equal(call.status, 'ok');
      assert.deepEqual(stepPath(run, call), ['write', 'digest-stream']);
      // Not the upstream's 11/5: the SDK counts the text itself and does not say so in the span.
      assert.ok(Number(call.output_tokens) > 0);
    });
  });

  describe('LlamaIndex.TS (@llamaindex/openai) through the proxy', () => {
    let run: ClientRun;
    before(async () => (run = await runClient('llamaindex.mjs', 'proxy', 2)));
    after(() => run.close());

    it('records chat and the streamed chat (usage asked for by the proxy) under the worker header', () => {
      const calls = byWorker(run.calls, 'llamaindex-qa');
      assert.equal(calls.length, 2);
      for (const call of calls) assertChat(call);
      assert.deepEqual(calls.map((c) => c.stream), [0, 1]);
      assert.deepEqual([...new Set(run.calls.map((c) => c.run_id))], ['client-llamaindex']);
    });
  });

  it('the README shows each client\'s snippet exactly as the tests run it', () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    for (const [script, name] of [
      ['openaiProxy.mjs', 'openai'],
      ['aiSdkProxy.mjs', 'ai-proxy'],
      ['aiSdkTelemetry.cjs', 'ai-otel'],
      ['otelOpenAI.cjs', 'otel-openai'],
      ['langchain.cjs', 'langchain-setup'],
      ['langchain.cjs', 'langchain'],
      ['traceloop.cjs', 'traceloop'],
      ['traceloop.cjs', 'traceloop-worker'],
      ['llamaindex.mjs', 'llamaindex'],
    ]) {
      assert.ok(readme.includes(snippet(script, name)), `README lacks the ${name} snippet of test/fixtures/clients/${script}:\n${snippet(script, name)}`);
    }
  });
});
