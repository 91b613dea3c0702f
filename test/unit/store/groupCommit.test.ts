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

  beforeEach(() => {
    db = openMemoryStore();
    writer = new BatchWriter(db, { contentMode: 'full' });
    transactions = [];
    // Counts the transactions the committer opens, and how many batches each carried.
    const counting = {
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
      { calls: [{ callId: 'child', stepId: 'step-1', worker: 'late_worker', final: true }], steps: [] },
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
});
