// Real clients, real exporters, a real daemon: the official openai client instrumented by Traceloop
// (OTLP JSON) and by OpenInference (gzipped protobuf), calling the fake upstream, exporting to the daemon.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT, startTestDaemon, type TestDaemon, waitForExit } from '../../support/daemonHarness';
import { FAKE_REPLY, startFakeOpenAI, type FakeOpenAI } from '../../support/fakeOpenAI';

type Row = Record<string, unknown>;

async function runApp(daemon: TestDaemon, fake: FakeOpenAI, instrumentation: string, exporter: string): Promise<void> {
  let stderr = '';
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'test', 'fixtures', 'instrumentedApp.cjs')], {
    env: {
      ...process.env,
      FLOWTUNE_TEST_INSTRUMENTATION: instrumentation,
      FLOWTUNE_TEST_EXPORTER: exporter,
      OPENAI_BASE_URL: fake.baseURL,
      OTEL_EXPORTER_OTLP_ENDPOINT: daemon.url,
      OTEL_EXPORTER_OTLP_HEADERS: `x-flowtune-token=${daemon.token}`,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  assert.equal(await waitForExit(child), 0, stderr);
}

for (const [instrumentation, exporter] of [
  ['traceloop', 'json'],
  ['openinference', 'protobuf-gzip'],
] as const) {
  describe(`OTLP from ${instrumentation} over ${exporter}`, function () {
    this.timeout(30_000);
    let daemon: TestDaemon;
    let fake: FakeOpenAI;
    let calls: Row[];
    let steps: Row[];
    let runs: Row[];

    before(async () => {
      daemon = await startTestDaemon();
      fake = await startFakeOpenAI();
      await runApp(daemon, fake, instrumentation, exporter);
      const db = daemon.daemon.ctx.db;
      runs = db.prepare('SELECT * FROM runs').all() as Row[];
      steps = db.prepare('SELECT * FROM steps ORDER BY started_at').all() as Row[];
      calls = db.prepare('SELECT * FROM calls ORDER BY started_at').all() as Row[];
    });
    after(async () => {
      await daemon.stop();
      await fake.close();
    });

    it('records one run for the trace, named by the workflow, with the service name', () => {
      assert.equal(runs.length, 1);
      assert.match(String(runs[0].id), /^[0-9a-f]{32}$/);
      assert.equal(runs[0].name, 'summarize-docs');
      assert.equal(runs[0].service_name, 'instrumented-test-app');
      assert.equal(runs[0].source, 'otlp');
    });

    it('records the worker spans as nested steps, even though children were exported first', () => {
      const byWorker = new Map(steps.map((s) => [s.worker, s]));
      const root = byWorker.get('summarize-docs');
      assert.ok(root, 'workflow step');
      assert.equal(root.kind, 'workflow');
      for (const worker of ['extract', 'write']) {
        const step = byWorker.get(worker);
        assert.ok(step, `step ${worker}`);
        assert.equal(step.run_id, runs[0].id);
        assert.equal(step.parent_step_id, root.id);
      }
      assert.equal(byWorker.get('write')?.status, 'error', 'the failed call made its worker fail');
      assert.match(String(byWorker.get('write')?.error_message), /fail-model/);
    });

    it('records the non-streamed chat call field by field', () => {
      const call = calls.find((c) => c.worker === 'extract');
      assert.ok(call);
      assert.equal(call.source, 'otlp');
      assert.equal(call.run_id, runs[0].id);
      assert.equal(call.step_id, steps.find((s) => s.worker === 'extract')?.id);
      assert.equal(call.provider, 'openai');
      assert.equal(call.operation, 'chat');
      assert.equal(call.request_model, 'gpt-4o-mini');
      assert.equal(call.response_model, 'gpt-4o-mini-2024-07-18');
      assert.equal(call.temperature, 0.2);
      assert.equal(call.max_tokens, 50);
      assert.equal(call.top_p, 0.9);
      assert.equal(call.input_tokens, 11);
      assert.equal(call.output_tokens, 5);
      // 11 × 0.15/1M + 5 × 0.60/1M
      assert.ok(Math.abs(Number(call.cost_usd) - 4.65e-6) < 1e-15);
      assert.equal(call.cost_source, 'price_table');
      assert.equal(call.finish_reason, 'stop');
      assert.equal(call.status, 'ok');
      assert.ok(Number(call.latency_ms) > 0 && Number(call.latency_ms) < 10_000);
      assert.ok(Number(call.started_at) > Date.now() - 60_000);
      assert.match(String(call.input_text), /You extract facts\./);
      assert.match(String(call.input_text), /The quick brown fox\./);
      assert.equal(call.output_text, `${FAKE_REPLY}: The quick brown fox.`);
      assert.match(String(call.prompt_fingerprint), /^[0-9a-f]{64}$/);
      assert.equal(call.trace_id, runs[0].id);
      assert.match(String(call.span_id), /^[0-9a-f]{16}$/);
    });

    it('records the streamed call under its worker (the instrumentations report no stream usage)', () => {
      const call = calls.find((c) => c.worker === 'write');
      assert.ok(call);
      assert.equal(call.request_model, 'gpt-4o-mini');
      assert.equal(call.status, 'ok');
      assert.equal(call.output_text, `${FAKE_REPLY}: Write a haiku.`);
      assert.equal(call.input_tokens, null);
      assert.equal(call.cost_usd, null);
      assert.equal(call.cost_source, 'unknown');
    });

    it('never stores the API key', () => {
      const dump = JSON.stringify({ runs, steps, calls });
      assert.doesNotMatch(dump, /sk-test-key/);
    });

    it('counts the calls in the worker aggregates', async () => {
      const response = await daemon.request('/v1/workers?group=worker');
      const body = (await response.json()) as { workers: Array<{ worker: string; calls: number; inputTokens: number }> };
      const extract = body.workers.find((w) => w.worker === 'extract');
      assert.equal(extract?.calls, 1);
      assert.equal(extract?.inputTokens, 11);
      assert.equal(body.workers.find((w) => w.worker === '(unknown)'), undefined, 'late-linked calls moved to their worker');
    });
  });
}
