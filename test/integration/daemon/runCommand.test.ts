// `flowtune run -- <command>`: starts the workspace daemon, wires the program to it, records the run,
// prints one summary line and passes the exit code through.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { CLI_PATH, makeTempDir, waitForExit } from '../../support/daemonHarness';

const APP = `
const env = process.env;
require('node:fs').writeFileSync(process.argv[2], JSON.stringify({
  OPENAI_BASE_URL: env.OPENAI_BASE_URL, OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT,
  OTEL_EXPORTER_OTLP_HEADERS: env.OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES: env.OTEL_RESOURCE_ATTRIBUTES,
  FLOWTUNE_RUN_ID: env.FLOWTUNE_RUN_ID }));
const calls = [1, 2].map((i) => ({ id: 'app-call-' + i, run_id: env.FLOWTUNE_RUN_ID, worker: 'summarize', model: 'gpt-4o-mini',
  started_at: Date.now(), latency_ms: 100, usage: { input_tokens: 1500, output_tokens: 500 } }));
fetch(env.FLOWTUNE_URL + '/v1/ingest', { method: 'POST', headers: { 'content-type': 'application/json', 'x-flowtune-token': env.FLOWTUNE_TOKEN },
  body: JSON.stringify({ calls }) }).then((r) => { console.log('app says hello'); process.exit(r.ok ? 3 : 99); });
`;

describe('flowtune run', function () {
  this.timeout(60_000);

  it('wires the program to a daemon it starts, records the run and passes the exit code through', async () => {
    const workspace = makeTempDir();
    fs.writeFileSync(path.join(workspace, 'flowtune.config.json'), '{}');
    const appFile = path.join(workspace, 'app.js');
    const envFile = path.join(workspace, 'env.json');
    fs.writeFileSync(appFile, APP);
    const child = spawn(process.execPath, [CLI_PATH, 'run', '--', process.execPath, appFile, envFile], { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await waitForExit(child);
    const dataDir = path.join(workspace, '.flowtune');
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, 'daemon.json'), 'utf8')) as { pid: number; port: number; token: string };
    try {
      assert.equal(code, 3, stderr);
      assert.equal(stdout.trim(), 'app says hello', 'the program owns stdout');
      assert.match(stderr, /flowtune: run [0-9a-f]{8} exit 3 in [\d.]+s — 2 calls, 4000 tokens \(3000 in \/ 1000 out\), \$0\.001050/);

      const env = JSON.parse(fs.readFileSync(envFile, 'utf8')) as Record<string, string>;
      assert.equal(env.OPENAI_BASE_URL, `http://127.0.0.1:${info.port}/t/${info.token}/run/${env.FLOWTUNE_RUN_ID}/openai/v1`);
      assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, `http://127.0.0.1:${info.port}`);
      assert.equal(env.OTEL_EXPORTER_OTLP_HEADERS, `x-flowtune-token=${info.token}`);
      assert.equal(env.OTEL_RESOURCE_ATTRIBUTES, `flowtune.run.id=${env.FLOWTUNE_RUN_ID}`);

      const db = new Database(path.join(dataDir, 'flowtune.db'), { readonly: true });
      const run = db.prepare('SELECT * FROM runs WHERE id = ?').get(env.FLOWTUNE_RUN_ID) as Record<string, unknown>;
      db.close();
      assert.equal(run.exit_code, 3);
      assert.equal(run.status, 'error');
      assert.equal(run.source, 'cli');
      assert.match(String(run.command), /app\.js/);
      assert.ok(Number(run.ended_at) >= Number(run.started_at));
    } finally {
      process.kill(info.pid, 'SIGTERM');
    }
  });

  it('reuses the running daemon on the next run', async () => {
    const workspace = makeTempDir();
    fs.mkdirSync(path.join(workspace, '.flowtune'));
    const run = async () => {
      const child = spawn(process.execPath, [CLI_PATH, 'run', '--', process.execPath, '-e', 'process.exit(0)'], { cwd: workspace, stdio: 'ignore' });
      assert.equal(await waitForExit(child), 0);
      return JSON.parse(fs.readFileSync(path.join(workspace, '.flowtune', 'daemon.json'), 'utf8')) as { pid: number };
    };
    const first = await run();
    const second = await run();
    try {
      assert.equal(second.pid, first.pid);
    } finally {
      process.kill(first.pid, 'SIGTERM');
    }
  });

  it('reports a command that cannot start with exit 127', async () => {
    const workspace = makeTempDir();
    fs.mkdirSync(path.join(workspace, '.flowtune'));
    let stderr = '';
    const child = spawn(process.execPath, [CLI_PATH, 'run', '--', 'definitely-not-a-command-xyz'], { cwd: workspace, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await waitForExit(child);
    const info = JSON.parse(fs.readFileSync(path.join(workspace, '.flowtune', 'daemon.json'), 'utf8')) as { pid: number };
    process.kill(info.pid, 'SIGTERM');
    assert.equal(code, 127);
    assert.match(stderr, /cannot start definitely-not-a-command-xyz/);
  });
});
