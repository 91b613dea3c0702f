// Schema version 5 rebuilds runs, steps and calls around integer run keys: a store written by
// version 4 keeps every row and field, steps and calls point at the right run, the run indexes are
// on the new keys, and deleting a run still cascades.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../../daemon/store/connection';
import { MIGRATIONS, migrate } from '../../../daemon/store/migrations';
import { makeTempDir } from '../../support/daemonHarness';

const V4 = MIGRATIONS.filter((m) => m.version <= 4);

function version4Store(dir: string): Database.Database {
  const db = new Database(path.join(dir, 'flowtune.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  assert.equal(migrate(db, V4), 4);
  // Inserted in an order unlike their start times, so refs must follow started_at, not insertion.
  db.prepare(`INSERT INTO runs (id, name, source, started_at, status, exit_code, command) VALUES (?, ?, 'cli', ?, 'ok', 0, ?)`).run('run-late', 'late', 2_000, 'node b.js');
  db.prepare(`INSERT INTO runs (id, name, source, started_at, status) VALUES (?, ?, 'otlp', ?, 'unset')`).run('0af7651916cd43dd8448eb211c80319c', null, 1_000);
  db.prepare(`INSERT INTO steps (id, run_id, parent_step_id, worker, kind, started_at, ended_at, status, attributes) VALUES (?, ?, ?, ?, 'task', ?, ?, 'ok', ?)`)
    .run('t:s1', '0af7651916cd43dd8448eb211c80319c', null, 'outline', 1_001, 1_500, '{"k":"v"}');
  db.prepare(`INSERT INTO steps (id, run_id, parent_step_id, worker, kind, started_at, status) VALUES (?, ?, ?, ?, 'task', ?, 'error')`)
    .run('t:s2', 'run-late', 't:s1', 'draft', 2_001);
  const insertCall = db.prepare(`INSERT INTO calls (id, run_id, step_id, worker, source, operation, request_model, started_at, latency_ms,
      status, input_text, output_text, input_tokens, cost_usd, cost_source, trace_id, span_id, rollup_pending)
    VALUES (?, ?, ?, ?, 'otlp', 'chat', 'gpt-4o-mini', ?, ?, 'ok', ?, ?, ?, ?, 'price_table', ?, ?, ?)`);
  insertCall.run('t:c1', '0af7651916cd43dd8448eb211c80319c', 't:s1', 'outline', 1_002, 120, '<b>prompt</b>', 'out 1', 11, 0.001, 't', 'c1', 0);
  insertCall.run('t:c2', 'run-late', 't:s2', 'draft', 2_002, 340, 'prompt 2', 'out 2', 22, 0.002, 't', 'c2', 1);
  insertCall.run('t:c3', null, null, null, 3_000, 50, null, null, null, null, null, null, 0);
  return db;
}

describe('store migration 5 (integer run keys)', () => {
  it('keeps every run, step and call of a version 4 store, linked through run refs', () => {
    const dir = makeTempDir();
    const before = version4Store(dir);
    const callsBefore = before.prepare('SELECT * FROM calls ORDER BY id').all();
    const stepsBefore = before.prepare('SELECT * FROM steps ORDER BY id').all();
    const runsBefore = before.prepare('SELECT * FROM runs ORDER BY id').all();
    before.close();

    const db = openStore(dir);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS[MIGRATIONS.length - 1].version);
      const withoutRef = <T extends Record<string, unknown>>(rows: T[]) => rows.map(({ run_ref: _r, ref: _f, ...rest }) => rest);
      // Later migrations add columns (6: response_id), empty on rows written before them.
      const withoutLater = (rows: Array<Record<string, unknown>>) => rows.map(({ response_id: responseId, ...rest }) => (assert.equal(responseId, null), rest));
      assert.deepEqual(withoutLater(withoutRef(db.prepare('SELECT * FROM calls ORDER BY id').all() as Array<Record<string, unknown>>)), callsBefore);
      assert.deepEqual(withoutRef(db.prepare('SELECT * FROM steps ORDER BY id').all() as Array<Record<string, unknown>>), stepsBefore);
      assert.deepEqual(withoutRef(db.prepare('SELECT * FROM runs ORDER BY id').all() as Array<Record<string, unknown>>), runsBefore);

      const refs = db.prepare('SELECT id, ref FROM runs ORDER BY ref').all() as Array<{ id: string; ref: number }>;
      assert.deepEqual(refs.map((r) => r.id), ['0af7651916cd43dd8448eb211c80319c', 'run-late'], 'refs follow start time');
      const mismatched = db
        .prepare(`SELECT COUNT(*) FROM (SELECT run_id, run_ref FROM calls UNION ALL SELECT run_id, run_ref FROM steps) x
                  WHERE x.run_ref IS NOT (SELECT ref FROM runs WHERE id = x.run_id)`)
        .pluck()
        .get();
      assert.equal(mismatched, 0);

      const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ');
      assert.match(plan('SELECT * FROM calls WHERE run_ref = 1'), /USING INDEX calls_run/);
      assert.match(plan('SELECT * FROM steps WHERE run_ref = 1'), /USING INDEX steps_run/);
      assert.match(plan(`SELECT * FROM runs WHERE id = 'x'`), /USING INDEX sqlite_autoindex_runs/);

      // The foreign keys point at the rebuilt runs table: deleting a run takes its steps and calls.
      db.prepare(`DELETE FROM runs WHERE id = 'run-late'`).run();
      assert.deepEqual(db.prepare('SELECT id FROM calls ORDER BY id').pluck().all(), ['t:c1', 't:c3']);
      assert.deepEqual(db.prepare('SELECT id FROM steps ORDER BY id').pluck().all(), ['t:s1']);
      assert.deepEqual(db.pragma('foreign_key_check'), []);
    } finally {
      db.close();
    }
  });

  it('rolls a migration back when it would leave a broken reference', () => {
    const dir = makeTempDir();
    const db = new Database(path.join(dir, 'flowtune.db'));
    db.pragma('foreign_keys = ON');
    const breaking = [
      { version: 1, name: 'parent and child', sql: 'CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p(id)); INSERT INTO p VALUES (1); INSERT INTO c VALUES (1);' },
      // Dropping a referenced parent with foreign keys off elsewhere would orphan c's row.
      { version: 2, name: 'orphaning rebuild', sql: 'PRAGMA defer_foreign_keys = ON; CREATE TABLE p2 (id INTEGER PRIMARY KEY); DELETE FROM p;' },
    ];
    assert.throws(() => migrate(db, breaking), /migration "orphaning rebuild" left 1 broken reference/);
    assert.equal(db.pragma('user_version', { simple: true }), 1);
    assert.equal(db.prepare('SELECT COUNT(*) FROM p').pluck().get(), 1, 'the failed migration changed nothing');
    db.close();
  });
});
