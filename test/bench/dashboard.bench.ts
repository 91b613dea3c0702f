// Dashboard first paint on a big store: a data dir with N synthetic calls (default 1,000,000, plus
// scores and engine rows), a real daemon process on it, GET /v1/dashboard timed over HTTP (cold:
// the first request before warm-up; warm: what opening the dashboard costs once the daemon has run),
// then the real payload rendered by the built bundle in headless Chromium. First paint = warm
// endpoint + render. Baseline from the same run: GET /v1/health (HTTP round trip alone).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openStore } from '../../daemon/store/connection';
import { HOUR_MS } from '../../daemon/store/rollupKey';
import { dashboardSchema } from '../../shared/http/dashboard';
import { makeTempDir, spawnDaemonProcess } from '../support/daemonHarness';
import { launchChromium, openDashboard, startHarness } from '../webview/harness';
import { fillDashboardStore } from './dashboardStore';

export interface DashboardBenchOptions {
  calls?: number;
  /** Reuse a data dir filled before (e.g. by an earlier run); filled when empty. */
  dataDir?: string;
  log?: (line: string) => void;
}

export interface DashboardBenchResult {
  calls: number;
  fillSeconds: number | null;
  payloadBytes: number;
  endpoint: { coldMs: number; warmMedianMs: number; warmMinMs: number; window7dWarmMs: number; window30dWarmMs: number; serverComputeMs: number };
  baselineHealthMs: number;
  render: { firstMs: number; updateMs: number };
  firstPaintMs: number;
  targetMs: number;
  met: boolean;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

async function timed(url: string, token: string): Promise<{ ms: number; body: string }> {
  const started = performance.now();
  const response = await fetch(url, { headers: { 'x-flowtune-token': token } });
  const body = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${body.slice(0, 200)}`);
  return { ms: performance.now() - started, body };
}

export async function benchDashboard(options: DashboardBenchOptions = {}): Promise<DashboardBenchResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const calls = options.calls ?? 1_000_000;
  const dataDir = options.dataDir ?? makeTempDir('flowtune-dashboard-bench-');
  const ownDir = options.dataDir === undefined;
  let fillSeconds: number | null = null;
  try {
    const db = openStore(dataDir);
    const stored = (db.prepare('SELECT COUNT(*) AS n FROM calls').get() as { n: number }).n;
    if (stored === 0) {
      log(`dashboard: filling a store with ${calls.toLocaleString('en')} calls…`);
      const endMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS + HOUR_MS;
      fillSeconds = fillDashboardStore(db, { calls, days: 30, seed: 7, endMs, log }).seconds;
      db.pragma('wal_checkpoint(TRUNCATE)');
    }
    const storedCalls = (db.prepare('SELECT COUNT(*) AS n FROM calls').get() as { n: number }).n;
    db.close();

    const daemon = await spawnDaemonProcess(dataDir);
    try {
      const base = `http://127.0.0.1:${daemon.info.port}`;
      const { token } = daemon.info;
      // Cold: the very first request, racing the daemon's own warm-up (which starts 2 s after start).
      const cold = await timed(`${base}/v1/dashboard`, token);
      const warm: number[] = [];
      let body = cold.body;
      for (let i = 0; i < 7; i++) {
        const r = await timed(`${base}/v1/dashboard`, token);
        warm.push(r.ms);
        body = r.body;
      }
      await timed(`${base}/v1/dashboard?window_hours=168`, token);
      const week = await timed(`${base}/v1/dashboard?window_hours=168`, token);
      await timed(`${base}/v1/dashboard?window_hours=720`, token);
      const month = await timed(`${base}/v1/dashboard?window_hours=720`, token);
      const health: number[] = [];
      for (let i = 0; i < 7; i++) health.push((await timed(`${base}/v1/health`, token)).ms);
      const payload = dashboardSchema.parse(JSON.parse(body));

      const harness = await startHarness();
      const browser = await launchChromium();
      let render: { firstMs: number; updateMs: number };
      try {
        const dash = await openDashboard(browser, harness, 'panel');
        const firstMs = await dash.sendAndWaitRendered({ type: 'dashboard', data: payload });
        const updateMs = await dash.sendAndWaitRendered({ type: 'dashboard', data: { ...payload, generatedAt: payload.generatedAt + 1 } });
        render = { firstMs, updateMs };
        fs.mkdirSync(path.join(__dirname, '..', '..', 'test-artifacts', 'screenshots'), { recursive: true });
        await dash.page.screenshot({ path: path.join(__dirname, '..', '..', 'test-artifacts', 'screenshots', 'webview-1m-calls.png') });
      } finally {
        await browser.close();
        await harness.close();
      }
      const warmMedianMs = median(warm);
      const firstPaintMs = warmMedianMs + render.firstMs;
      const result: DashboardBenchResult = {
        calls: storedCalls,
        fillSeconds,
        payloadBytes: Buffer.byteLength(body),
        endpoint: {
          coldMs: cold.ms,
          warmMedianMs,
          warmMinMs: Math.min(...warm),
          window7dWarmMs: week.ms,
          window30dWarmMs: month.ms,
          serverComputeMs: payload.computeMs,
        },
        baselineHealthMs: median(health),
        render,
        firstPaintMs,
        targetMs: 300,
        met: firstPaintMs <= 300,
      };
      log(
        `dashboard on ${storedCalls.toLocaleString('en')} calls: GET /v1/dashboard cold ${cold.ms.toFixed(0)} ms, warm median ${warmMedianMs.toFixed(1)} ms ` +
          `(server ${payload.computeMs} ms, ${(result.payloadBytes / 1024).toFixed(0)} KiB; 7 d ${week.ms.toFixed(0)} ms, 30 d ${month.ms.toFixed(0)} ms; /v1/health ${result.baselineHealthMs.toFixed(1)} ms); ` +
          `render ${render.firstMs.toFixed(0)} ms (update ${render.updateMs.toFixed(0)} ms); first paint ${firstPaintMs.toFixed(0)} ms — target ≤ 300 ms ${result.met ? 'met' : 'MISSED'}`,
      );
      return result;
    } finally {
      daemon.child.kill('SIGTERM');
      await new Promise((resolve) => daemon.child.once('exit', resolve));
    }
  } finally {
    if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// `npx tsx test/bench/dashboard.bench.ts [calls] [dataDir]` runs it alone.
if (require.main === module) {
  const calls = process.argv[2] ? Number(process.argv[2]) : undefined;
  benchDashboard({ calls, dataDir: process.argv[3] }).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
