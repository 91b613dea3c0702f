// Runs one real client from npm (a script in test/fixtures/clients/) as its own process against a
// real daemon and the fake upstream, and reads back what the daemon stored.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, startTestDaemon, waitForExit, type TestDaemon } from '../../support/daemonHarness';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fakeOpenAI';

export type Row = Record<string, unknown>;

export const CLIENTS_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'clients');

/**
 * Which clients: the repo's devDependencies under this Node (CI), or, from
 * scripts/test-clients-latest.sh, the newest majors in FLOWTUNE_CLIENTS_DIR run by FLOWTUNE_CLIENTS_NODE.
 */
export const CLIENT_NODE = process.env.FLOWTUNE_CLIENTS_NODE ?? process.execPath;
const MODULES_DIR = process.env.FLOWTUNE_CLIENTS_DIR;

/**
 * The client scripts where they resolve the chosen modules: copied beside FLOWTUNE_CLIENTS_DIR's
 * node_modules. A script listed under `flowtune.moduleOverrides` in that folder's package.json runs
 * from its own folder whose node_modules/NAME is a copy of the aliased package (e.g. openai → openai-v6:
 * @opentelemetry/instrumentation-openai declares openai <7, and its require hook patches a module by the
 * folder name `openai`, so an alias folder would never be patched). Everything else resolves from the
 * shared node_modules one level up.
 */
function scriptsDir(script: string): string {
  if (MODULES_DIR === undefined) return CLIENTS_DIR;
  const overrides = moduleOverrides(MODULES_DIR)[script];
  const run = path.join(MODULES_DIR, overrides === undefined ? 'run' : `run-${path.parse(script).name}`);
  fs.mkdirSync(run, { recursive: true });
  for (const file of fs.readdirSync(CLIENTS_DIR)) fs.copyFileSync(path.join(CLIENTS_DIR, file), path.join(run, file));
  for (const [name, alias] of Object.entries(overrides ?? {})) {
    const target = path.join(run, 'node_modules', name);
    fs.rmSync(target, { recursive: true, force: true });
    fs.cpSync(path.join(MODULES_DIR, 'node_modules', alias), target, { recursive: true });
  }
  return run;
}

function moduleOverrides(dir: string): Record<string, Record<string, string>> {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { flowtune?: { moduleOverrides?: Record<string, Record<string, string>> } };
  return manifest.flowtune?.moduleOverrides ?? {};
}

export interface ClientRun {
  daemon: TestDaemon;
  fake: FakeOpenAI;
  calls: Row[];
  steps: Row[];
  runs: Row[];
  close(): Promise<void>;
}

/**
 * `via: 'proxy'`: the client's OPENAI_BASE_URL is the daemon's proxy (whose upstream is the fake);
 * `via: 'otlp'`: the client calls the fake directly and exports its spans to the daemon.
 * Waits until `expectCalls` calls are stored and none awaits its parent (spans arrive in any order).
 */
export async function runClient(script: string, via: 'proxy' | 'otlp', expectCalls: number): Promise<ClientRun> {
  const fake = await startFakeOpenAI();
  const daemon = await startTestDaemon({ upstream: fake.baseURL });
  try {
    let stderr = '';
    const dir = scriptsDir(script);
    const child = spawn(CLIENT_NODE, [path.join(dir, script)], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        OPENAI_API_KEY: 'sk-test-key-that-must-never-be-stored-000000',
        OPENAI_BASE_URL: via === 'proxy' ? `${daemon.url}/openai/v1` : fake.baseURL,
        FLOWTUNE_URL: daemon.url,
        FLOWTUNE_TOKEN: daemon.token,
        OTEL_EXPORTER_OTLP_ENDPOINT: daemon.url,
        OTEL_EXPORTER_OTLP_HEADERS: `x-flowtune-token=${daemon.token}`,
        TRACELOOP_TELEMETRY: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    assert.equal(await waitForExit(child), 0, stderr);
    const db = daemon.daemon.ctx.db;
    const deadline = Date.now() + 10_000;
    const settled = () => {
      const row = db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(rollup_pending), 0) AS pending FROM calls').get() as { n: number; pending: number };
      return row.n >= expectCalls && row.pending === 0;
    };
    while (!settled() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    const calls = db.prepare('SELECT * FROM calls ORDER BY started_at').all() as Row[];
    assert.equal(calls.length, expectCalls, `stored calls: ${JSON.stringify(calls.map((c) => [c.worker, c.operation, c.request_model]))}\n${stderr}`);
    return {
      daemon,
      fake,
      calls,
      steps: db.prepare('SELECT * FROM steps ORDER BY started_at').all() as Row[],
      runs: db.prepare('SELECT * FROM runs').all() as Row[],
      close: async () => {
        await daemon.stop();
        await fake.close();
      },
    };
  } catch (error) {
    await daemon.stop();
    await fake.close();
    throw error;
  }
}

/** gpt-4o-mini at the shipped price snapshot: 0.15 $/M input, 0.60 $/M output. */
export function gpt4oMiniCost(input: number, output: number): number {
  return (input * 0.15 + output * 0.6) / 1e6;
}

export function assertCost(call: Row, input: number, output: number): void {
  assert.ok(Math.abs(Number(call.cost_usd) - gpt4oMiniCost(input, output)) < 1e-12, `cost ${String(call.cost_usd)} for ${input}/${output} tokens`);
}

/** A snippet between `// readme:start NAME` and `// readme:end` in a client script, unindented. */
export function snippet(script: string, name: string): string {
  const text = fs.readFileSync(path.join(CLIENTS_DIR, script), 'utf8');
  const match = new RegExp(`// readme:start ${name}\\n([\\s\\S]*?)\\n\\s*// readme:end`).exec(text);
  assert.ok(match, `snippet ${name} in ${script}`);
  const lines = match[1].split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}
