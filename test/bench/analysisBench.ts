// Full analysis over a large store (issue 4's target: ≤ 2 s over 1,000,000 calls): worker metrics
// with trends, one anomaly-watch tick over every active group, failure clustering and attribution
// over the last day, and the load forecast — timed on a store filled with a month of synthetic
// calls. Baseline in the same run: one raw GROUP BY scan of the 7-day window (counts and sums only).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Database from 'better-sqlite3';
import type { DaemonContext } from '../../daemon/daemonContext';
import { silentLogger } from '../../daemon/log';
import { BatchWriter } from '../../daemon/store/batchWriter';
import { openStore, STORE_FILE_NAME } from '../../daemon/store/connection';
import { AnomalyWatcher } from '../../daemon/watch/anomalyWatcher';
import { analyzeFailures } from '../../daemon/watch/failureAnalysis';
import { planLoad } from '../../daemon/watch/loadPlanner';
import { computeWorkerMetrics } from '../../daemon/watch/workerMetrics';
import { makeTempDir } from '../support/daemonHarness';
import { syntheticCallBatches } from './syntheticCalls';

const DAY_MS = 86_400_000;

export interface AnalysisBenchResult {
  calls: number;
  fillSeconds: number;
  metrics7dMs: number;
  watchTickMs: number;
  watchGroups: number;
  failures24hMs: number;
  loadPlanMs: number;
  totalMs: number;
  baselineRawScan7dMs: number;
  ratioToRawScan: number;
  openedAnomalies: number;
}

function timed<T>(run: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export async function benchAnalysis(options: { calls?: number; log?: (line: string) => void } = {}): Promise<AnalysisBenchResult> {
  const calls = options.calls ?? 1_000_000;
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const dataDir = makeTempDir('flowtune-analysis-bench-');
  const now = Date.now();
  try {
    let db: Database.Database = openStore(dataDir);
    const writer = new BatchWriter(db, { contentMode: 'full' });
    const fillStarted = performance.now();
    for (const batch of syntheticCallBatches({ total: calls, seed: 11, endMs: now, days: 30 }, 5000)) {
      writer.write({ runs: [], steps: [], calls: batch, scores: [] });
    }
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    log(`analysis bench: filled ${calls} calls in ${fillSeconds.toFixed(1)} s (${Math.round(calls / fillSeconds)} calls/s)`);
    db.close();
    db = openStore(dataDir);
    const ctx = { db, logger: silentLogger } as unknown as DaemonContext;

    const week = { since: now - 7 * DAY_MS, until: now + 1 };
    const runs: Array<{ metrics: number; tick: number; failures: number; load: number; groups: number; opened: number }> = [];
    for (let i = 0; i < 3; i++) {
      const metrics = timed(() => computeWorkerMetrics(db, week));
      // A fresh watcher each run: the first tick of a daemon is the most expensive one.
      const watcher = new AnomalyWatcher(ctx);
      const tick = timed(() => watcher.tick(now));
      const failures = timed(() => analyzeFailures(db, { since: now - DAY_MS, until: now + 1 }));
      const load = timed(() => planLoad(db, now));
      runs.push({ metrics: metrics.ms, tick: tick.ms, failures: failures.ms, load: load.ms, groups: tick.value.groups, opened: tick.value.opened });
      db.exec('DELETE FROM anomaly_transitions; DELETE FROM anomalies;');
    }
    const baseline = median(
      Array.from({ length: 3 }, () =>
        timed(() =>
          db
            .prepare(
              `SELECT worker, request_model, prompt_version, COUNT(*), SUM(status <> 'ok'), SUM(cost_usd), SUM(input_tokens),
                      SUM(output_tokens), AVG(latency_ms) FROM calls WHERE started_at >= ? GROUP BY 1, 2, 3`,
            )
            .all(week.since),
        ).ms,
      ),
    );
    const result: AnalysisBenchResult = {
      calls,
      fillSeconds,
      metrics7dMs: median(runs.map((r) => r.metrics)),
      watchTickMs: median(runs.map((r) => r.tick)),
      watchGroups: runs[0].groups,
      failures24hMs: median(runs.map((r) => r.failures)),
      loadPlanMs: median(runs.map((r) => r.load)),
      totalMs: median(runs.map((r) => r.metrics + r.tick + r.failures + r.load)),
      baselineRawScan7dMs: baseline,
      ratioToRawScan: median(runs.map((r) => r.metrics + r.tick + r.failures + r.load)) / baseline,
      openedAnomalies: runs[0].opened,
    };
    db.close();
    log(
      `analysis bench: metrics 7d ${result.metrics7dMs.toFixed(0)} ms, watch tick ${result.watchTickMs.toFixed(0)} ms (${result.watchGroups} groups), ` +
        `failures 24h ${result.failures24hMs.toFixed(0)} ms, load ${result.loadPlanMs.toFixed(0)} ms → total ${result.totalMs.toFixed(0)} ms ` +
        `(target ≤ 2000 ms); raw 7-day scan ${result.baselineRawScan7dMs.toFixed(0)} ms (ratio ${result.ratioToRawScan.toFixed(2)})`,
    );
    return result;
  } finally {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.join(dataDir, STORE_FILE_NAME + suffix), { force: true });
  }
}

if (require.main === module) {
  benchAnalysis({ calls: Number(process.argv[2] ?? 1_000_000) }).then(
    (result) => process.stderr.write(JSON.stringify(result, null, 2) + '\n'),
    (error: unknown) => {
      process.stderr.write(String(error) + '\n');
      process.exit(1);
    },
  );
}
