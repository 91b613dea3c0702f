// The store on a real SQLite file: migrations, atomic batches, rollups kept in step, late links,
// retention that keeps rollups, and the queries other parts read.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { BatchWriter } from '../../../daemon/store/batchWriter';
import { openStore } from '../../../daemon/store/connection';
import { MIGRATIONS, StoreVersionError, migrate } from '../../../daemon/store/migrations';
import type { CallRecord } from '../../../daemon/store/records';
import { applyRetention } from '../../../daemon/store/retention';
import { HOUR_MS } from '../../../daemon/store/rollupKey';
import { aggregateWorkers, recentCalls, workerTimeSeries } from '../../../daemon/store/workerQueries';
import { makeTempDir } from '../../support/daemonHarness';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-21T12:00:00Z');

function call(id: string, overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    id,
    source: 'native',
    operation: 'chat',
    worker: 'summarize',
    requestModel: 'gpt-4o-mini',
    startedAt: NOW - 30 * 60_000,
    latencyMs: 100,
    inputTokens: 100,
    outputTokens: 10,
    status: 'ok',
    ...overrides,
  };
}

describe('store', () => {
  let db: Database.Database;
  let writer: BatchWriter;
  beforeEach(() => {
    db = openStore(makeTempDir());
    writer = new BatchWriter(db, { contentMode: 'full', costFor: () => ({ costUsd: 0.001, source: 'price_table' }) });
  });
  afterEach(() => db.close());

  it('opens in WAL mode with foreign keys, at the latest schema version', () => {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS[MIGRATIONS.length - 1].version);
  });

  it('refuses a store written by a newer Flowtune instead of corrupting it', () => {
    const dir = makeTempDir();
    const newer = new Database(path.join(dir, 'flowtune.db'));
    newer.pragma('user_version = 999');
    assert.throws(() => migrate(newer), StoreVersionError);
    newer.close();
  });

  it('refuses a corrupt store file with a clear message and leaves it untouched', () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'flowtune.db');
    fs.writeFileSync(file, 'this is not a database, just text that someone saved here by mistake');
    assert.throws(() => openStore(dir), /is not a readable SQLite database .* move it aside/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'this is not a database, just text that someone saved here by mistake');
  });

  it('rolls back the whole batch when one row fails', () => {
    assert.throws(() =>
      writer.write({
        runs: [],
        steps: [],
        calls: [call('ok-1'), { ...call('bad'), operation: null as unknown as string }],
        scores: [],
      }),
    );
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM calls').get() as { n: number }).n, 0);
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM call_rollups').get() as { n: number }).n, 0);
  });

  it('keeps hourly rollups equal to the raw calls, with quantiles within 1%', () => {
    const calls = Array.from({ length: 1000 }, (_, i) =>
      call(`c${i}`, { latencyMs: i + 1, status: i % 10 === 0 ? 'error' : 'ok', httpStatus: i % 50 === 0 ? 429 : 200, finishReason: i % 4 === 0 ? 'length' : 'stop' }),
    );
    writer.write({ runs: [], steps: [], calls: calls.slice(0, 500), scores: [] });
    writer.write({ runs: [], steps: [], calls: calls.slice(500), scores: [{ callId: 'c1', name: 'quality', value: 0.5, source: 'app', createdAt: NOW }] });
    const [aggregate] = aggregateWorkers(db, { since: NOW - DAY, until: NOW });
    assert.equal(aggregate.calls, 1000);
    assert.equal(aggregate.errors, 100);
    assert.equal(aggregate.rateLimited, 20);
    assert.equal(aggregate.lengthStops, 250);
    assert.equal(aggregate.inputTokens, 100_000);
    assert.ok(Math.abs(aggregate.costUsd - 1) < 1e-9);
    assert.equal(aggregate.latencyMeanMs, 500.5);
    // lower-rank exact p99 of 1..1000 is 990; DDSketch guarantees 1% relative error
    assert.ok(aggregate.latencyP99Ms !== null && aggregate.latencyP99Ms >= 980.1 && aggregate.latencyP99Ms <= 999.9, String(aggregate.latencyP99Ms));
    assert.ok(aggregate.latencyP50Ms !== null && Math.abs(aggregate.latencyP50Ms - 500) <= 5.01);
    assert.equal(aggregate.quality, 0.5);
    assert.equal(aggregate.successRate, 0.9);
  });

  it('moves a call to its worker when the parent span arrives in a later batch', () => {
    writer.write({ runs: [], steps: [], calls: [call('late', { worker: null, runId: 'r1' }), call('other', { worker: null, runId: 'r1' })], scores: [] });
    assert.deepEqual(aggregateWorkers(db, { since: NOW - DAY, until: NOW }).map((a) => [a.worker, a.calls]), [['(unknown)', 2]]);
    writer.write(
      { runs: [], steps: [{ id: 'step-1', runId: 'r1', worker: 'outline', kind: 'span', startedAt: NOW - 31 * 60_000, status: 'ok' }], calls: [], scores: [] },
      { calls: [{ callId: 'late', stepId: 'step-1', worker: 'outline', final: true }], steps: [] },
    );
    const byWorker = Object.fromEntries(aggregateWorkers(db, { since: NOW - DAY, until: NOW }).map((a) => [a.worker, a.calls]));
    assert.deepEqual(byWorker, { '(unknown)': 1, outline: 1 });
    const row = db.prepare(`SELECT worker, step_id FROM calls WHERE id = 'late'`).get();
    assert.deepEqual(row, { worker: 'outline', step_id: 'step-1' });
  });

  it('holds a call awaiting its parent out of the rollups, then counts it once under its worker', () => {
    writer.write({ runs: [], steps: [], calls: [call('child', { worker: null, runId: 'r1', awaitingParent: true, latencyMs: 700 })], scores: [{ callId: 'child', name: 'quality', value: 0.25, source: 'app', createdAt: NOW }] });
    assert.deepEqual(aggregateWorkers(db, { since: NOW - DAY, until: NOW }), [], 'not counted while its worker is unknown');
    writer.write(
      { runs: [], steps: [{ id: 'step-1', runId: 'r1', worker: 'outline', kind: 'span', startedAt: NOW - 31 * 60_000, status: 'ok' }], calls: [], scores: [] },
      { calls: [{ callId: 'child', stepId: 'step-1', worker: 'outline', final: true }], steps: [] },
    );
    const [aggregate] = aggregateWorkers(db, { since: NOW - DAY, until: NOW });
    assert.equal(aggregate.worker, 'outline');
    assert.equal(aggregate.calls, 1);
    assert.equal(aggregate.latencyMeanMs, 700);
    assert.equal(aggregate.quality, 0.25, 'its scores moved with it');
    assert.equal(writer.flushPendingRollups(Number.POSITIVE_INFINITY), 0, 'nothing left pending');
  });

  it('flushes calls whose parent never came into the unknown worker', () => {
    writer.write({ runs: [], steps: [], calls: [call('orphan', { worker: null, awaitingParent: true })], scores: [] });
    assert.equal(writer.flushPendingRollups(NOW - 3_600_000), 0, 'younger than the grace period: still pending');
    assert.equal(writer.flushPendingRollups(NOW), 1);
    assert.deepEqual(aggregateWorkers(db, { since: NOW - DAY, until: NOW }).map((a) => [a.worker, a.calls]), [['(unknown)', 1]]);
  });

  it('serves hourly series from rollups and finer series from raw calls', () => {
    writer.write({
      runs: [],
      steps: [],
      calls: [
        call('a', { startedAt: NOW - 3 * HOUR_MS + 1000, latencyMs: 100 }),
        call('b', { startedAt: NOW - 3 * HOUR_MS + 120_000, latencyMs: 300 }),
        call('c', { startedAt: NOW - HOUR_MS + 1000, latencyMs: 50 }),
      ],
      scores: [],
    });
    const hourly = workerTimeSeries(db, { worker: 'summarize', since: NOW - 4 * HOUR_MS, until: NOW, bucketMs: HOUR_MS });
    assert.deepEqual(hourly.map((p) => p.calls), [2, 1]);
    assert.equal(hourly[0].latencyMeanMs, 200);
    const minutes = workerTimeSeries(db, { worker: 'summarize', since: NOW - 4 * HOUR_MS, until: NOW, bucketMs: 60_000 });
    assert.deepEqual(minutes.map((p) => p.calls), [1, 1, 1]);
    assert.equal(minutes[1].latencyP50Ms, 300);
    assert.deepEqual(recentCalls(db, 'summarize', 2).map((c) => c.id), ['c', 'b']);
  });

  it('retention deletes old raw rows in chunks but keeps their rollups', () => {
    const old = Array.from({ length: 12_000 }, (_, i) => call(`old${i}`, { startedAt: NOW - 40 * DAY + i, runId: 'old-run' }));
    writer.write({ runs: [], steps: [], calls: old, scores: [] });
    writer.write({ runs: [], steps: [], calls: [call('young', { runId: 'young-run' })], scores: [] });
    const removed = applyRetention(db, { rawDays: 30, rollupDays: 400 }, NOW);
    assert.equal(removed.calls, 12_000);
    assert.equal(removed.runs, 1);
    assert.deepEqual(db.prepare('SELECT id FROM calls').all(), [{ id: 'young' }]);
    const longHorizon = aggregateWorkers(db, { since: NOW - 60 * DAY, until: NOW }, 'worker');
    assert.equal(longHorizon[0].calls, 12_001, 'rollups outlive the raw rows');
    const rollupsRemoved = applyRetention(db, { rawDays: 30, rollupDays: 35 }, NOW);
    assert.ok(rollupsRemoved.rollups >= 1);
    assert.equal(aggregateWorkers(db, { since: NOW - 60 * DAY, until: NOW }, 'worker')[0].calls, 1);
  });
});
