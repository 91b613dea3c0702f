// Group commit: batches handed in during one turn of the event loop share one transaction, each
// caller gets its own result only after the commit, order is kept (a later batch may link to an
// earlier one), and one bad batch fails alone.
import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { BatchWriter, type LinkedBatch } from '../../../daemon/store/batchWriter';
import { openMemoryStore } from '../../../daemon/store/connection';
import { GroupCommitter } from '../../../daemon/store/groupCommit';
import type { CallRecord, IngestBatch } from '../../../daemon/store/records';

const NOW = Date.parse('2026-11-21T12:00:00Z');

function call(id: string, overrides: Partial<CallRecord> = {}): CallRecord {
  return { id, source: 'otlp', operation: 'chat', worker: 'w', requestModel: 'gpt-4o-mini', startedAt: NOW - 60_000, latencyMs: 100, status: 'ok', ...overrides };
}

function batchOf(...calls: CallRecord[]): IngestBatch {
  return { runs: [], steps: [], calls, scores: [] };
}

const count = (db: Database.Database, sql: string) => (db.prepare(sql).get() as { n: number }).n;

describe('group commit', () => {
  let db: Database.Database;
  let writer: BatchWriter;
  let transactions: number[];
  let committer: GroupCommitter;
  let counting: Pick<BatchWriter, 'write' | 'writeMany'>;

  beforeEach(() => {
    db = openMemoryStore();
    writer = new BatchWriter(db, { contentMode: 'full' });
    transactions = [];
    // Counts the transactions the committer opens, and how many batches each carried.
    counting = {
      write: (batch: IngestBatch, links?: LinkedBatch['links']) => {
        transactions.push(1);
        return writer.write(batch, links);
      },
      writeMany: (items: readonly LinkedBatch[]) => {
        transactions.push(items.length);
        return writer.writeMany(items);
      },
    };
    committer = new GroupCommitter(counting);
  });
  afterEach(() => db.close());

  it('commits batches handed in together once, in order, each answered with its own result', async () => {
    const awaiting = call('child', { worker: null, awaitingParent: true, stepId: null });
    const first = committer.write(batchOf(call('a'), call('b'), awaiting));
    const second = committer.write(batchOf(call('a'), call('c')));
    // The third batch links the call of the first one to its (late) parent step.
    const third = committer.write(
      { runs: [], steps: [], calls: [call('d')], scores: [] },
      { calls: [{ callId: 'child', stepId: 'step-1', worker: 'late_worker' }], steps: [] },
    );
    assert.equal(count(db, 'SELECT COUNT(*) AS n FROM calls'), 0, 'nothing is written before the turn ends');
    const results = await Promise.all([first, second, third]);
    assert.deepEqual(transactions, [3]);
    assert.deepEqual(results.map((r) => [r.calls, r.duplicateCalls]), [[3, 0], [1, 1], [1, 0]]);
    assert.equal(count(db, 'SELECT COUNT(*) AS n FROM calls'), 5);
    assert.equal(count(db, "SELECT COUNT(*) AS n FROM calls WHERE id = 'child' AND step_id = 'step-1' AND worker = 'late_worker' AND rollup_pending = 0"), 1);
    assert.equal(count(db, "SELECT SUM(calls) AS n FROM call_rollups WHERE worker = 'late_worker'"), 1, 'the linked call joined its worker\'s rollup');
  });

  it('commits batches handed in on different turns separately', async () => {
    await committer.write(batchOf(call('a')));
    await committer.write(batchOf(call('b')));
    assert.deepEqual(transactions, [1, 1]);
    assert.equal(count(db, 'SELECT COUNT(*) AS n FROM calls'), 2);
  });

  it('fails only the bad batch of a group: the others are stored and answered', async () => {
    const good = committer.write(batchOf(call('a')));
    const bad = committer.write(batchOf(call('b'), { ...call('bad'), operation: null as unknown as string }));
    const alsoGood = committer.write(batchOf(call('c')));
    const settled = await Promise.allSettled([good, bad, alsoGood]);
    assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled']);
    // The group was tried once, rolled back, then each batch on its own.
    assert.deepEqual(transactions, [3, 1, 1, 1]);
    assert.deepEqual(db.prepare('SELECT id FROM calls ORDER BY id').all(), [{ id: 'a' }, { id: 'c' }], 'nothing of the bad batch is stored');
    assert.equal(count(db, 'SELECT SUM(calls) AS n FROM call_rollups'), 2);
  });

  describe('waiting for the batch being prepared (commit delay)', () => {
    let preparing: boolean;
    beforeEach(() => {
      preparing = true;
      committer = new GroupCommitter(counting, { moreComing: () => preparing, targetRows: 4, maxDelayMs: 200 });
    });

    it('holds a ready batch while another is being prepared, then commits both at once', async () => {
      const first = committer.write(batchOf(call('a')));
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(transactions, [], 'the first batch waits for company');
      preparing = false; // the second is the last one the mapper had
      const second = committer.write(batchOf(call('b')));
      await Promise.all([first, second]);
      assert.deepEqual(transactions, [2]);
      assert.equal(count(db, 'SELECT COUNT(*) AS n FROM calls'), 2);
    });

    it('stops waiting once the waiting batches hold the target number of rows', async () => {
      const first = committer.write(batchOf(call('a'), call('b')));
      await new Promise((resolve) => setTimeout(resolve, 10));
      const second = committer.write(batchOf(call('c'), call('d')));
      await Promise.all([first, second]);
      assert.deepEqual(transactions, [2], 'four rows reached the target while more were still coming');
    });

    it('commits after the longest delay when the expected batch never comes', async () => {
      const started = performance.now();
      await committer.write(batchOf(call('a')));
      const waited = performance.now() - started;
      assert.deepEqual(transactions, [1]);
      assert.ok(waited >= 190 && waited < 2_000, `waited ${waited.toFixed(0)} ms`);
    });

    it('writes at once when nothing else is being prepared', async () => {
      preparing = false;
      const started = performance.now();
      await committer.write(batchOf(call('a')));
      assert.deepEqual(transactions, [1]);
      assert.ok(performance.now() - started < 150, 'a lone batch does not wait for the delay');
    });
  });
});
