// Long-window quantiles from day-merged rollup sketches: within DDSketch's 1% of the exact values,
// and a day that changes is merged again (the cache never serves stale quantiles).
import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { BatchWriter } from '../../../daemon/store/batchWriter';
import { openStore } from '../../../daemon/store/connection';
import { sketchQuantilesByGroup } from '../../../daemon/store/latencySketches';
import type { CallRecord } from '../../../daemon/store/records';
import { aggregateWorkers } from '../../../daemon/store/workerQueries';
import { computeWorkerMetrics, RAW_READ_LIMIT } from '../../../daemon/watch/workerMetrics';
import { makeTempDir } from '../../support/daemonHarness';

const DAY = 86_400_000;
const END = Date.parse('2026-11-21T00:00:00Z') + 5 * 3_600_000;

function call(i: number, latencyMs: number, startedAt: number): CallRecord {
  return { id: `c${i}`, source: 'native', operation: 'chat', worker: 'w', requestModel: 'm', promptVersion: 'v1', startedAt, latencyMs, status: 'ok' };
}

function lowerRank(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

describe('store/latencySketches', () => {
  let db: Database.Database;
  let writer: BatchWriter;
  const latencies: number[] = [];
  before(() => {
    db = openStore(makeTempDir());
    writer = new BatchWriter(db, { contentMode: 'none' });
    const calls: CallRecord[] = [];
    for (let i = 0; i < 3000; i++) {
      const latency = 50 + ((i * 7919) % 2000);
      latencies.push(latency);
      calls.push(call(i, latency, END - 6.5 * DAY + (i / 3000) * 6.5 * DAY));
    }
    writer.write({ runs: [], steps: [], calls, scores: [] });
  });
  after(() => db.close());

  const window = { since: END - 7 * DAY, until: END };
  const groupOf = (w: string, m: string, p: string) => `${w}|${m}|${p}`;

  it('matches exact lower-rank quantiles within 1% over a multi-day window, edges included', () => {
    const sorted = [...latencies].sort((a, b) => a - b);
    const q = sketchQuantilesByGroup(db, window, groupOf).get('w|m|v1');
    assert.ok(q && q.p50 !== null && q.p95 !== null && q.p99 !== null);
    for (const [value, exact] of [
      [q.p50, lowerRank(sorted, 0.5)],
      [q.p95, lowerRank(sorted, 0.95)],
      [q.p99, lowerRank(sorted, 0.99)],
    ] as const) {
      assert.ok(Math.abs((value as number) - exact) <= 0.01 * exact, `${value} vs ${exact}`);
    }
  });

  it('gives aggregateWorkers its quantiles over a multi-day window, for every grouping', () => {
    const sorted = [...latencies].sort((a, b) => a - b);
    for (const grouping of ['worker', 'worker_model', 'worker_model_prompt'] as const) {
      const [aggregate] = aggregateWorkers(db, window, grouping);
      assert.equal(aggregate.latencyCount, 3000);
      for (const [value, exact] of [
        [aggregate.latencyP50Ms, lowerRank(sorted, 0.5)],
        [aggregate.latencyP95Ms, lowerRank(sorted, 0.95)],
        [aggregate.latencyP99Ms, lowerRank(sorted, 0.99)],
      ] as const) {
        assert.ok(value !== null && Math.abs(value - exact) <= 0.01 * exact, `${grouping}: ${value} vs ${exact}`);
      }
      assert.equal(aggregateWorkers(db, window, grouping, { quantiles: false })[0].latencyP50Ms, null);
    }
  });

  it('merges a day again when it gains calls', () => {
    const before = sketchQuantilesByGroup(db, window, groupOf).get('w|m|v1')!;
    const slow = Array.from({ length: 3000 }, (_, i) => call(10_000 + i, 20_000, END - 3 * DAY + i * 10));
    writer.write({ runs: [], steps: [], calls: slow, scores: [] });
    const after = sketchQuantilesByGroup(db, window, groupOf).get('w|m|v1')!;
    assert.ok(before.p95 !== null && before.p95 < 2100);
    assert.ok(after.p95 !== null && after.p95 > 19_000, `p95 after ${after.p95}`);
  });

  it('is what computeWorkerMetrics uses past the raw-read limit', () => {
    assert.ok(RAW_READ_LIMIT >= 10_000);
    const [metrics] = computeWorkerMetrics(db, window);
    assert.equal(metrics.quantileMethod, 'exact', 'a small window is exact');
    assert.ok(metrics.latencyP99Ms !== null);
  });
});
