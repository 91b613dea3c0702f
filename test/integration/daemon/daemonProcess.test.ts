// The daemon as users run it: a separate process, one per data dir, clean on SIGTERM, and durable
// under kill -9 for everything it acknowledged.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { CLI_PATH, makeTempDir, spawnDaemonProcess, waitForExit } from '../../support/daemonHarness';
import { genAiSpan, hexId, traceRequest } from '../../support/otlpPayloads';

function nativeCall(id: string, startedAt: number) {
  return { id, model: 'gpt-4o-mini', worker: 'kill-test', started_at: startedAt, latency_ms: 10, usage: { input_tokens: 10, output_tokens: 2 } };
}

describe('daemon process', function () {
  this.timeout(60_000);

  it('refuses a second daemon on the same data dir, naming the running one', async () => {
    const dataDir = path.join(makeTempDir(), '.flowtune');
    const first = await spawnDaemonProcess(dataDir);
    try {
      let stderr = '';
      const second = spawn(process.execPath, [CLI_PATH, 'daemon', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      second.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await waitForExit(second);
      assert.equal(code, 2);
      assert.match(stderr, new RegExp(`already running for .* \\(pid ${first.info.pid}, port ${first.info.port}\\)`));
      // the first one is untouched
      const health = await fetch(`http://127.0.0.1:${first.info.port}/v1/health`, { headers: { 'x-flowtune-token': first.info.token } });
      assert.equal(health.status, 200);
    } finally {
      first.child.kill('SIGTERM');
      await waitForExit(first.child);
    }
  });

  it('shuts down cleanly on SIGTERM and SIGINT, removing daemon.json and the lock, writing nothing to stdout', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const dataDir = path.join(makeTempDir(), '.flowtune');
      const daemon = await spawnDaemonProcess(dataDir);
      const response = await fetch(`http://127.0.0.1:${daemon.info.port}/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-flowtune-token': daemon.info.token },
        body: JSON.stringify({ calls: [nativeCall('c1', Date.now())] }),
      });
      assert.equal(response.status, 200);
      daemon.child.kill(signal);
      assert.equal(await waitForExit(daemon.child), 0);
      assert.equal(fs.existsSync(path.join(dataDir, 'daemon.json')), false);
      assert.equal(fs.existsSync(path.join(dataDir, 'daemon.lock')), false);
      assert.doesNotMatch(daemon.stderr(), /\[STDOUT\]/, 'the daemon never writes to stdout');
      assert.match(fs.readFileSync(path.join(dataDir, 'daemon.log'), 'utf8'), /stopped/);
      const db = new Database(path.join(dataDir, 'flowtune.db'), { readonly: true });
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM calls').get() as { n: number }).n, 1);
      db.close();
    }
  });

  for (const door of ['otlp', 'native'] as const) {
    it(`keeps every acknowledged ${door} batch across kill -9 and restarts on the same dir`, async () => {
      const dataDir = path.join(makeTempDir(), '.flowtune');
      const daemon = await spawnDaemonProcess(dataDir);
      const acknowledged: string[] = [];
      let sent = 0;
      let killed = false;
      let senderDone = false;
      const statuses = new Map<number, number>();
      const sender = (async () => {
        for (let batch = 0; batch < 2000 && !killed; batch++) {
          const traceId = hexId(16);
          const spans = Array.from({ length: 50 }, () => genAiSpan({ traceId }));
          const ids = door === 'otlp' ? spans.map((s) => `${s.traceId}:${s.spanId}`) : spans.map((_, i) => `b${batch}-c${i}`);
          const body =
            door === 'otlp'
              ? JSON.stringify(traceRequest(spans))
              : JSON.stringify({ calls: ids.map((id) => nativeCall(id, Date.now())) });
          sent++;
          try {
            const response = await fetch(`http://127.0.0.1:${daemon.info.port}/v1/${door === 'otlp' ? 'traces' : 'ingest'}`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-flowtune-token': daemon.info.token },
              body,
            });
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            if (response.status === 200) acknowledged.push(...ids);
          } catch {
            return; // the daemon is gone
          }
        }
      })().finally(() => (senderDone = true));
      // Kill once a good number of batches were acknowledged, while the client is still sending.
      while (acknowledged.length < 50 * 40 && !senderDone) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.ok(acknowledged.length >= 50 * 40, `only ${acknowledged.length} acknowledged; statuses ${JSON.stringify([...statuses])}`);
      daemon.child.kill('SIGKILL');
      killed = true;
      await sender;
      await waitForExit(daemon.child);
      assert.ok(sent > 40);

      // A new daemon takes over the stale lock and sees every acknowledged call.
      const restarted = await spawnDaemonProcess(dataDir);
      try {
        const db = new Database(path.join(dataDir, 'flowtune.db'), { readonly: true });
        const rows = db.prepare('SELECT id, run_id FROM calls').all() as Array<{ id: string; run_id: string | null }>;
        db.close();
        const stored = new Set(rows.map((r) => r.id));
        const lost = acknowledged.filter((id) => !stored.has(id));
        assert.deepEqual(lost, [], `${lost.length} acknowledged calls were lost`);
        // Batches are atomic: every stored batch is complete.
        const perBatch = new Map<string, number>();
        for (const row of rows) {
          const batchKey = door === 'otlp' ? String(row.run_id) : row.id.split('-')[0];
          perBatch.set(batchKey, (perBatch.get(batchKey) ?? 0) + 1);
        }
        for (const [batchId, n] of perBatch) assert.equal(n, 50, `batch ${batchId} is partial`);
      } finally {
        restarted.child.kill('SIGTERM');
        await waitForExit(restarted.child);
      }
    });
  }
});
