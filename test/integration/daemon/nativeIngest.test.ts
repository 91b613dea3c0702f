// The native JSON API end to end: what is sent is what is stored; bad input is refused whole.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { makeTempDir, startTestDaemon, type TestDaemon } from '../../support/daemonHarness';

const T0 = Date.parse('2026-11-20T10:00:00Z');

function batch() {
  return {
    runs: [{ id: 'run-1', name: 'summarize-docs', started_at: T0, ended_at: T0 + 5000, status: 'ok' }],
    steps: [
      { id: 'step-extract', run_id: 'run-1', worker: 'extract', started_at: T0 + 10, ended_at: T0 + 2000, status: 'ok' },
      { id: 'step-write', run_id: 'run-1', parent_id: 'step-extract', worker: 'write', started_at: T0 + 2000, ended_at: T0 + 4900 },
    ],
    calls: [
      {
        id: 'call-1',
        run_id: 'run-1',
        step_id: 'step-extract',
        provider: 'openai',
        model: 'gpt-4o-mini',
        response_model: 'gpt-4o-mini-2024-07-18',
        temperature: 0,
        max_tokens: 256,
        top_p: 0.9,
        usage: { input_tokens: 1500, output_tokens: 500, cached_tokens: 0 },
        started_at: new Date(T0 + 20).toISOString(),
        latency_ms: 850,
        ttft_ms: 120,
        finish_reason: 'stop',
        prompt: { id: 'extract', version: 'v3' },
        source: { file: 'src/pipeline.ts', line: 42 },
        input: [
          { role: 'system', content: 'Extract the facts from the document.' },
          { role: 'user', content: 'The <b>quick</b> brown fox.' },
        ],
        output: '{"facts": ["fox is quick"]}',
      },
      {
        id: 'call-2',
        run_id: 'run-1',
        worker: 'write',
        model: 'gpt-4o',
        started_at: T0 + 2100,
        latency_ms: 2000,
        status: 'error',
        error: { type: 'rate_limit_exceeded', message: 'Rate limit reached; key sk-abcdefghijklmnopqrstuvwxyz012345' },
      },
    ],
    scores: [{ call_id: 'call-1', name: 'faithfulness', value: 0.8, comment: 'good' }],
  };
}

describe('native ingest API', () => {
  let daemon: TestDaemon;
  beforeEach(async () => {
    daemon = await startTestDaemon();
  });
  afterEach(async () => {
    await daemon.stop();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    daemon.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body) });

  it('stores runs, steps, calls and scores field by field', async () => {
    const response = await post('/v1/ingest', batch());
    assert.equal(response.status, 200);
    const body = (await response.json()) as { accepted: Record<string, number>; call_ids: string[] };
    assert.deepEqual(body.accepted, { runs: 1, steps: 2, calls: 2, scores: 1, duplicate_calls: 0 });
    assert.deepEqual(body.call_ids, ['call-1', 'call-2']);

    const db = daemon.daemon.ctx.db;
    const run = db.prepare('SELECT * FROM runs WHERE id = ?').get('run-1') as Record<string, unknown>;
    assert.equal(run.name, 'summarize-docs');
    assert.equal(run.started_at, T0);
    assert.equal(run.ended_at, T0 + 5000);
    assert.equal(run.status, 'ok');
    assert.equal(run.source, 'native');

    const step = db.prepare('SELECT * FROM steps WHERE id = ?').get('step-write') as Record<string, unknown>;
    assert.equal(step.parent_step_id, 'step-extract');
    assert.equal(step.worker, 'write');

    const call = db.prepare('SELECT * FROM calls WHERE id = ?').get('call-1') as Record<string, unknown>;
    assert.equal(call.worker, 'extract', 'worker comes from the step when the call does not name it');
    assert.equal(call.provider, 'openai');
    assert.equal(call.operation, 'chat');
    assert.equal(call.request_model, 'gpt-4o-mini');
    assert.equal(call.response_model, 'gpt-4o-mini-2024-07-18');
    assert.equal(call.temperature, 0, 'temperature 0 is a value, not a missing one');
    assert.equal(call.max_tokens, 256);
    assert.equal(call.top_p, 0.9);
    assert.equal(call.input_tokens, 1500);
    assert.equal(call.output_tokens, 500);
    assert.equal(call.started_at, T0 + 20);
    assert.equal(call.latency_ms, 850);
    assert.equal(call.ttft_ms, 120);
    assert.equal(call.finish_reason, 'stop');
    assert.equal(call.status, 'ok');
    assert.equal(call.prompt_id, 'extract');
    assert.equal(call.prompt_version, 'v3');
    assert.match(String(call.prompt_fingerprint), /^[0-9a-f]{16,64}$/);
    assert.equal(call.source_file, 'src/pipeline.ts');
    assert.equal(call.source_line, 42);
    assert.match(String(call.input_text), /The <b>quick<\/b> brown fox/);
    assert.equal(call.output_text, '{"facts": ["fox is quick"]}');
    assert.equal(call.content_mode, 'full');
    // 1500 * 0.15/1M + 500 * 0.60/1M from the shipped price table
    assert.ok(Math.abs(Number(call.cost_usd) - 0.000525) < 1e-12, `cost ${String(call.cost_usd)}`);
    assert.equal(call.cost_source, 'price_table');

    const failed = db.prepare('SELECT * FROM calls WHERE id = ?').get('call-2') as Record<string, unknown>;
    assert.equal(failed.status, 'error');
    assert.equal(failed.error_type, 'rate_limit_exceeded');
    assert.doesNotMatch(String(failed.error_message), /sk-abcdefghij/, 'API keys never reach the store');

    const score = db.prepare('SELECT * FROM scores WHERE call_id = ?').get('call-1') as Record<string, unknown>;
    assert.equal(score.name, 'faithfulness');
    assert.equal(score.value, 0.8);
    assert.equal(score.worker, 'extract');
    assert.equal(score.source, 'app');

    const workers = (await (await daemon.request(`/v1/workers?since=${T0 - 3_600_000}&until=${T0 + 3_600_000}`)).json()) as {
      workers: Array<{ worker: string; calls: number; errors: number; quality: number | null; latencyP50Ms: number | null }>;
    };
    const extract = workers.workers.find((w) => w.worker === 'extract');
    assert.ok(extract);
    assert.equal(extract.calls, 1);
    assert.equal(extract.quality, 0.8);
    assert.ok(extract.latencyP50Ms !== null && Math.abs(extract.latencyP50Ms - 850) / 850 <= 0.01);
    assert.equal(workers.workers.find((w) => w.worker === 'write')?.errors, 1);
  });

  it('is idempotent: a re-sent batch stores each call once and counts it once', async () => {
    await post('/v1/ingest', batch());
    const again = (await (await post('/v1/ingest', { calls: batch().calls })).json()) as { accepted: { calls: number; duplicate_calls: number } };
    assert.equal(again.accepted.calls, 0);
    assert.equal(again.accepted.duplicate_calls, 2);
    const rollup = daemon.daemon.ctx.db.prepare(`SELECT SUM(calls) AS n FROM call_rollups`).get() as { n: number };
    assert.equal(rollup.n, 2);
  });

  it('accepts a gzip body', async () => {
    const response = await post('/v1/ingest', zlib.gzipSync(JSON.stringify(batch())), { 'content-encoding': 'gzip' });
    assert.equal(response.status, 200);
  });

  const count = () => (daemon.daemon.ctx.db.prepare('SELECT (SELECT COUNT(*) FROM calls) + (SELECT COUNT(*) FROM runs) + (SELECT COUNT(*) FROM steps) AS n').get() as { n: number }).n;

  it('refuses malformed JSON with 400 and a clear message, storing nothing', async () => {
    const response = await post('/v1/ingest', '{"calls": [');
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { type: string; message: string } };
    assert.equal(body.error.type, 'invalid_json');
    assert.equal(count(), 0);
  });

  it('refuses a batch with one invalid call whole, naming the field', async () => {
    const bad = batch();
    (bad.calls[1] as Record<string, unknown>).latency_ms = -5;
    const response = await post('/v1/ingest', bad);
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { message: string } };
    assert.match(body.error.message, /calls\.1\.latency_ms/);
    assert.equal(count(), 0);
  });

  it('refuses a truncated gzip body with 400', async () => {
    const gz = zlib.gzipSync(JSON.stringify(batch()));
    const response = await post('/v1/ingest', gz.subarray(0, gz.length - 10), { 'content-encoding': 'gzip' });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { type: string } }).error.type, 'invalid_encoding');
    assert.equal(count(), 0);
  });

  it('refuses a body over the limit after decompression with 413 (gzip bomb)', async () => {
    await daemon.stop();
    daemon = await startTestDaemon({ maxBodyBytes: 64 * 1024 });
    const huge = zlib.gzipSync(Buffer.alloc(1024 * 1024, 0x20)); // ~1 KB compressed, 1 MB expanded
    assert.ok(huge.length < 64 * 1024);
    const response = await post('/v1/ingest', huge, { 'content-encoding': 'gzip' });
    assert.equal(response.status, 413);
    const raw = await post('/v1/ingest', Buffer.alloc(128 * 1024, 0x20));
    assert.equal(raw.status, 413);
    assert.equal((await daemon.request('/v1/health')).status, 200, 'the daemon keeps serving');
  });

  it('records feedback on a call as normalised scores and 404s an unknown call', async () => {
    await post('/v1/ingest', batch());
    const ok = await post('/v1/feedback', { call_id: 'call-1', rating: 4, quality: 0.9, comment: 'nice' });
    assert.equal(ok.status, 200);
    const rows = daemon.daemon.ctx.db.prepare(`SELECT name, value, raw_value, source, comment FROM scores WHERE call_id = 'call-1' AND source = 'user' ORDER BY name`).all();
    assert.deepEqual(rows, [
      { name: 'quality', value: 0.9, raw_value: 0.9, source: 'user', comment: 'nice' },
      { name: 'rating', value: 0.75, raw_value: 4, source: 'user', comment: 'nice' },
    ]);
    const missing = await post('/v1/feedback', { call_id: 'nope', rating: 5 });
    assert.equal(missing.status, 404);
    const invalid = await post('/v1/feedback', { call_id: 'call-1', rating: 9 });
    assert.equal(invalid.status, 400);
  });
});

describe('content storage setting', () => {
  for (const mode of ['hash', 'none'] as const) {
    it(`stores prompt and output text as "${mode}"`, async () => {
      const root = makeTempDir();
      fs.writeFileSync(path.join(root, 'flowtune.config.json'), JSON.stringify({ storage: { content: mode } }));
      const daemon = await startTestDaemon({ dataDir: path.join(root, '.flowtune') });
      try {
        const response = await daemon.request('/v1/ingest', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ calls: [{ id: 'c', model: 'gpt-4o-mini', started_at: T0, input: 'secret prompt', output: 'secret answer' }] }),
        });
        assert.equal(response.status, 200);
        const row = daemon.daemon.ctx.db.prepare(`SELECT input_text, output_text, content_mode FROM calls WHERE id = 'c'`).get() as Record<string, string | null>;
        assert.equal(row.content_mode, mode);
        if (mode === 'hash') {
          assert.match(String(row.input_text), /^sha256:[0-9a-f]{64}$/);
          assert.notEqual(row.input_text, row.output_text);
        } else {
          assert.equal(row.input_text, null);
          assert.equal(row.output_text, null);
        }
      } finally {
        await daemon.stop();
      }
    });
  }

  it('keeps running on defaults when the config is corrupt, and says why', async () => {
    const root = makeTempDir();
    fs.writeFileSync(path.join(root, 'flowtune.config.json'), '{ "storage": { "content": ');
    const daemon = await startTestDaemon({ dataDir: path.join(root, '.flowtune') });
    try {
      const health = (await (await daemon.request('/v1/health')).json()) as { config_error: string | null };
      assert.match(String(health.config_error), /not valid JSON/);
      assert.equal(daemon.daemon.ctx.config.storage.content, 'full');
    } finally {
      await daemon.stop();
    }
  });
});
