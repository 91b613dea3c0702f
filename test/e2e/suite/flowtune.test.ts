// The extension in a real VS Code (code-server's Node extension host) with the real daemon on the
// system Node: activation, the status bar, diagnostics at the right lines, a quick fix that edits the
// file and records the acceptance, Run Optimization, the run environment, and reconnecting after a
// daemon restart. Calls arrive through the native API; anomalies and recommendations are written to
// the store the way the detector and the optimizer write them.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FlowtuneExtensionApi } from '../../../extension/extension';

interface DaemonInfo {
  pid: number;
  port: number;
  token: string;
}
interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): { run(...values: unknown[]): unknown; all(...values: unknown[]): unknown[] };
  close(): void;
}

const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
const dataDir = path.join(root, '.flowtune');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, check: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

function daemonInfo(): DaemonInfo {
  return JSON.parse(fs.readFileSync(path.join(dataDir, 'daemon.json'), 'utf8')) as DaemonInfo;
}

async function ingest(body: unknown): Promise<void> {
  const info = daemonInfo();
  const response = await fetch(`http://127.0.0.1:${info.port}/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-flowtune-token': info.token },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.text());
}

/** The store, opened beside the daemon with Node's own SQLite (the extension host runs Node 24). */
function withStore(write: (db: SqliteDatabase) => void): void {
  const { DatabaseSync } = createRequire(__filename)('node:sqlite') as { DatabaseSync: new (file: string) => SqliteDatabase };
  const db = new DatabaseSync(path.join(dataDir, 'flowtune.db'));
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    write(db);
  } finally {
    db.close();
  }
}

function lineOf(relative: string, needle: string): number {
  const line = fs.readFileSync(path.join(root, relative), 'utf8').split('\n').findIndex((text) => text.includes(needle));
  assert.ok(line >= 0, `${needle} in ${relative}`);
  return line;
}

function flowtuneDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'flowtune');
}

describe('Flowtune in a real VS Code', () => {
  let api: FlowtuneExtensionApi;
  const pipelineUri = vscode.Uri.file(path.join(root, 'src', 'pipeline.ts'));
  const configUri = vscode.Uri.file(path.join(root, 'flowtune.config.json'));

  after(() => {
    // The daemon is detached (it outlives windows by design): stop the one these tests started.
    try {
      process.kill(daemonInfo().pid, 'SIGTERM');
    } catch {
      // already gone
    }
  });

  it('activates on the workspace config and connects to a daemon it starts on the system Node', async () => {
    const extension = vscode.extensions.getExtension<FlowtuneExtensionApi>('flowtune.flowtune');
    assert.ok(extension, 'the extension is installed');
    api = await extension.activate();
    const state = await waitFor('the daemon connection', () => {
      const current = api.connectionState();
      if (current?.kind === 'down') throw new Error(`daemon down: ${current.reason}`);
      return current?.kind === 'connected' ? current : null;
    });
    assert.equal(state.info.pid, daemonInfo().pid);
    console.log(`vscode ${vscode.version}, extension host node ${process.version}, daemon pid ${state.info.pid}`);
  });

  it('shows "Flowtune" in the status bar with no anomalies yet', async () => {
    await waitFor('the status bar', () => api.statusBarText() === 'Flowtune $(pass) no anomalies');
  });

  it('shows the measurements of recorded calls in code lenses', async () => {
    const now = Date.now();
    const calls = Array.from({ length: 24 }, (_, i) => ({
      id: `e2e-outline-${i}`,
      run_id: `e2e-run-${i % 6}`,
      model: 'gpt-4o',
      worker: 'outline',
      started_at: now - 120_000 + i * 1000,
      latency_ms: 900 + (i % 6) * 120,
      cost_usd: 0.0021,
      usage: { input_tokens: 420, output_tokens: 180 },
      input: 'Outline an article on tides',
      output: '1. Intro 2. Moon 3. Sun',
    }));
    await ingest({ runs: Array.from({ length: 6 }, (_, i) => ({ id: `e2e-run-${i}`, started_at: now - 130_000 })), calls });
    await ingest({ scores: calls.map((call) => ({ call_id: call.id, name: 'quality', value: 0.82 })) });
    await vscode.window.showTextDocument(pipelineUri);
    const outlineLine = lineOf('src/pipeline.ts', "'x-flowtune-worker': 'outline'") - 5;
    const title = await waitFor('the outline lens', async () => {
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', pipelineUri)) ?? [];
      return lenses.find((lens) => lens.range.start.line === outlineLine && /24 calls/.test(lens.command?.title ?? ''))?.command?.title;
    });
    assert.match(title, /^Flowtune · outline: p95 [\d.]+ (s|ms) · \$0\.0021\/call · quality 0\.82 · 24 calls$/);
  });

  it('runs an optimization cycle to completion (or says why it cannot)', async () => {
    const outcome = await vscode.commands.executeCommand<string>('flowtune.runOptimization');
    console.log(`Run Optimization: ${outcome}`);
    assert.match(outcome ?? '', /^(Optimization cycle done: analysed \d+ workers|optimizer unavailable)/);
  });

  it('turns an open anomaly into the status bar colour and count, and diagnostics at the cause', async () => {
    withStore((db) => {
      const hasMetric = (db.prepare('PRAGMA table_info(anomalies)').all() as Array<{ name: string }>).some((c) => c.name === 'metric');
      const now = Date.now();
      db.prepare(
        `INSERT INTO anomalies (id, kind, severity, state, series, ${hasMetric ? 'metric, ' : ''}worker, model, prompt_version, began_at, last_seen_at,
           baseline, current, score, title, evidence, suspected_cause)
         VALUES ('e2e-anomaly', 'sustained_shift', 'error', 'open', 'worker=outline|model=gpt-4o|prompt=v1|metric=latency_ms', ${hasMetric ? "'latency_ms', " : ''}
           'outline', 'gpt-4o', 'v1', ?, ?, 800, 2450, 0.98, 'outline p95 latency 3.1× its baseline', ?, 'model gpt-4o')`,
      ).run(now - 600_000, now, JSON.stringify({ baseline_p95_ms: 800, p95_ms: 2450, calls: 24 }));
    });
    const text = await waitFor('the status bar to show the anomaly', () => (/^Flowtune \$\(error\) \d+ anomal(y|ies)$/.test(api.statusBarText()) ? api.statusBarText() : null));
    const status = api.workspaceStatus();
    assert.equal(status?.worstSeverity, 'error');
    assert.equal(text, `Flowtune $(error) ${status?.anomalies.length} ${status?.anomalies.length === 1 ? 'anomaly' : 'anomalies'}`);

    const atCall = await waitFor('diagnostics in pipeline.ts', () => flowtuneDiagnostics(pipelineUri).find((d) => d.code === 'sustained_shift'));
    assert.equal(atCall.range.start.line, lineOf('src/pipeline.ts', "'x-flowtune-worker': 'outline'") - 5, 'on the outline call, not the research one');
    assert.equal(atCall.severity, vscode.DiagnosticSeverity.Error);
    assert.match(atCall.message, /outline p95 latency 3\.1× its baseline — likely cause: model gpt-4o/);
    const inConfig = await waitFor('diagnostics in the config', () => flowtuneDiagnostics(configUri).find((d) => d.code === 'sustained_shift'));
    assert.equal(inConfig.range.start.line, lineOf('flowtune.config.json', '"name": "outline"'));
  });

  it('applies a recommendation as a quick fix that edits the file and records the human acceptance', async () => {
    withStore((db) => {
      const now = Date.now();
      db.prepare(
        `INSERT INTO recommendations (id, optimizer, worker, title, state, change, evidence, expected_gain, confidence, edit, experiment_id, created_at, updated_at)
         VALUES ('e2e-rec', 'model_selection', 'outline', 'Switch outline to gpt-4o-mini', 'open', ?, ?, ?, 0.96, NULL, NULL, ?, ?)`,
      ).run(
        JSON.stringify({ kind: 'model', from: 'gpt-4o', to: 'gpt-4o-mini' }),
        JSON.stringify({ paired_samples: 200, quality_delta: -0.004 }),
        JSON.stringify({ metric: 'cost', relative: -0.8, description: '−80% cost per call' }),
        now,
        now,
      );
    });
    const diagnostic = await waitFor('the recommendation diagnostic', () => flowtuneDiagnostics(pipelineUri).find((d) => d.code === 'recommendation:model'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', pipelineUri, diagnostic.range);
    const apply = actions.find((action) => action.title === 'Apply: Switch outline to gpt-4o-mini');
    assert.ok(apply?.edit && apply.command, `quick fix offered (got ${actions.map((a) => a.title).join(', ')})`);
    assert.ok(actions.some((action) => action.title === 'Dismiss: Switch outline to gpt-4o-mini'), 'dismiss offered too');
    // What the editor does when the user picks the quick fix: apply the edit, then run its command.
    assert.equal(await vscode.workspace.applyEdit(apply.edit), true);
    const outcome = await vscode.commands.executeCommand<string>(apply.command.command, ...(apply.command.arguments ?? []));
    const document = await vscode.workspace.openTextDocument(pipelineUri);
    const outlineCall = document.getText().slice(document.getText().indexOf('export async function outline'));
    assert.match(outlineCall, /model: 'gpt-4o-mini'/);
    assert.match(document.getText(), /\{ model: 'gpt-4o-mini', messages: \[\{ role: 'user', content: `Facts/, 'research was already on gpt-4o-mini');
    assert.match(outcome ?? '', /^(accepted|applied)$/, `acceptance recorded (${outcome})`);
    await waitFor('the recommendation to leave', () => !flowtuneDiagnostics(pipelineUri).some((d) => d.code === 'recommendation:model'));
    await document.save();
  });

  it('copies the run environment for any shell', async () => {
    assert.equal(await vscode.commands.executeCommand('flowtune.copyRunEnvironment'), 'copied');
    const clipboard = await vscode.env.clipboard.readText();
    const info = daemonInfo();
    assert.ok(clipboard.includes(`export OPENAI_BASE_URL='http://127.0.0.1:${info.port}/t/${info.token}/openai/v1'`), clipboard);
    assert.ok(clipboard.includes(`export OTEL_EXPORTER_OTLP_HEADERS='x-flowtune-token=${info.token}'`));
  });

  it('restarts the daemon and reconnects, with the status bar live again', async () => {
    const before = daemonInfo().pid;
    const outcome = await vscode.commands.executeCommand<string>('flowtune.restartDaemon');
    assert.match(outcome ?? '', /^restarted \(pid \d+\)$/);
    assert.notEqual(daemonInfo().pid, before);
    await waitFor('the anomaly back in the status bar', () => /^Flowtune \$\(error\) \d+ anomal/.test(api.statusBarText()));
  });
});
