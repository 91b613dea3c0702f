// A real LSP client for tests: copies the fixture workspace to a temp dir, starts a real daemon with
// its data dir there, upgrades a socket on /v1/lsp and speaks JSON-RPC with vscode-languageserver-protocol.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  SocketMessageReader,
  SocketMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { connectLspSocket } from '../../../shared/lspSocket';
import { statusChangedNotification, type WorkspaceStatus } from '../../../shared/protocol';
import { makeTempDir, startTestDaemon, type TestDaemon } from '../../support/daemonHarness';

export const FIXTURE_WORKSPACE = path.resolve(__dirname, '..', '..', 'e2e', 'fixture-workspace');

export interface LspHarness {
  root: string;
  daemon: TestDaemon;
  connection: ProtocolConnection;
  diagnostics: Map<string, Diagnostic[]>;
  statuses: WorkspaceStatus[];
  uri(relative: string): string;
  /** Resolves when the predicate holds (checked on every notification), or rejects after the timeout. */
  waitFor<T>(check: () => T | null | undefined | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export function copyFixtureWorkspace(): string {
  const root = makeTempDir('flowtune-lsp-ws-');
  fs.cpSync(FIXTURE_WORKSPACE, root, { recursive: true });
  return root;
}

export async function startLspHarness(): Promise<LspHarness> {
  const root = copyFixtureWorkspace();
  const daemon = await startTestDaemon({ dataDir: path.join(root, '.flowtune') });
  const socket = await connectLspSocket({ port: daemon.daemon.ctx.port, token: daemon.token });
  const connection = createProtocolConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
  const diagnostics = new Map<string, Diagnostic[]>();
  const statuses: WorkspaceStatus[] = [];
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((waiter) => waiter());
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    diagnostics.set(params.uri, params.diagnostics);
    notify();
  });
  connection.onNotification(statusChangedNotification, (status) => {
    statuses.push(status);
    notify();
  });
  connection.onRequest('workspace/codeLens/refresh', () => null);
  connection.listen();
  socket.resume();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(root).toString(),
    workspaceFolders: [{ uri: pathToFileURL(root).toString(), name: 'fixture' }],
    capabilities: { workspace: { codeLens: { refreshSupport: true } } },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return {
    root,
    daemon,
    connection,
    diagnostics,
    statuses,
    uri: (relative) => pathToFileURL(path.join(root, relative)).toString(),
    waitFor<T>(check: () => T | null | undefined | false, timeoutMs = 10_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const attempt = () => {
          const value = check();
          if (value) {
            waiters.delete(attempt);
            clearTimeout(timer);
            clearInterval(poll);
            resolve(value);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(attempt);
          clearInterval(poll);
          reject(new Error('timed out waiting for the language server'));
        }, timeoutMs);
        const poll = setInterval(attempt, 100);
        waiters.add(attempt);
        attempt();
      });
    },
    async close() {
      connection.dispose();
      socket.destroy();
      await daemon.stop();
    },
  };
}

/** Applies LSP text edits to a text (edits must not overlap). */
export function applyEdits(text: string, edits: Array<{ range: Diagnostic['range']; newText: string }>): string {
  const lines = text.split('\n');
  const offset = (position: { line: number; character: number }) =>
    lines.slice(0, position.line).reduce((sum, line) => sum + line.length + 1, 0) + position.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let result = text;
  for (const edit of sorted) result = result.slice(0, offset(edit.range.start)) + edit.newText + result.slice(offset(edit.range.end));
  return result;
}

export function insertAnomaly(daemon: TestDaemon, row: { id: string; worker: string; severity: 'info' | 'warning' | 'error'; title: string; kind?: string; cause?: string }): void {
  const now = Date.now();
  const db = daemon.daemon.ctx.db;
  const hasMetric = (db.prepare(`PRAGMA table_info(anomalies)`).all() as Array<{ name: string }>).some((column) => column.name === 'metric');
  db.prepare(
    `INSERT INTO anomalies (id, kind, severity, state, series, ${hasMetric ? 'metric, ' : ''}worker, model, prompt_version, began_at, last_seen_at, baseline, current, score, title, evidence, suspected_cause)
     VALUES (?, ?, ?, 'open', ?, ${hasMetric ? "'latency_ms', " : ''}?, 'gpt-4o', 'v1', ?, ?, 800, 2400, 0.97, ?, ?, ?)`,
  ).run(
    row.id,
    row.kind ?? 'point_spike',
    row.severity,
    `worker=${row.worker}|model=gpt-4o|prompt=v1|metric=latency_ms`,
    row.worker,
    now - 60_000,
    now,
    row.title,
    JSON.stringify({ p95_ms: 2400, baseline_p95_ms: 800, window_calls: 120 }),
    row.cause ?? null,
  );
}

export function insertRecommendation(
  daemon: TestDaemon,
  row: { id: string; worker: string; title: string; change: Record<string, unknown>; confidence?: number },
): void {
  const now = Date.now();
  daemon.daemon.ctx.db
    .prepare(
      `INSERT INTO recommendations (id, optimizer, worker, title, state, change, evidence, expected_gain, confidence, edit, experiment_id, created_at, updated_at)
       VALUES (?, 'test', ?, ?, 'open', ?, ?, ?, ?, NULL, NULL, ?, ?)`,
    )
    .run(
      row.id,
      row.worker,
      row.title,
      JSON.stringify(row.change),
      JSON.stringify({ paired_samples: 200, quality_delta: -0.004 }),
      JSON.stringify({ metric: 'cost_per_call', relative: -0.8, description: '−80% cost per call' }),
      row.confidence ?? 0.95,
      now,
      now,
    );
}
