// The background WAL checkpointer: it copies committed pages into the database file on its own
// connection while the writer's auto-checkpoint sits at the backstop, and the writer takes over
// again when the worker stops or cannot start.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Database from 'better-sqlite3';
import { createLogger } from '../../../daemon/log';
import { DEFAULT_WAL_AUTOCHECKPOINT_PAGES, STORE_FILE_NAME, openStore } from '../../../daemon/store/connection';
import { BACKSTOP_AUTOCHECKPOINT_PAGES, startWalCheckpointer } from '../../../daemon/store/walCheckpointer';
import { makeTempDir } from '../../support/daemonHarness';

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

describe('WAL checkpointer worker', function () {
  this.timeout(20_000);
  let dir: string;
  let db: Database.Database;
  const logged: string[] = [];
  const logger = { ...createLogger({ stderr: false }), error: (message: string) => logged.push(message), warn: (message: string) => logged.push(message) };

  beforeEach(() => {
    dir = makeTempDir('flowtune-wal-');
    db = openStore(dir);
    logged.length = 0;
  });
  afterEach(() => {
    if (db.open) db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('copies committed pages into the database file while the writer no longer checkpoints by itself', async () => {
    const file = path.join(dir, STORE_FILE_NAME);
    const checkpointer = startWalCheckpointer(db, file, logger);
    assert.ok(checkpointer, 'the worker script is found next to the module');
    try {
      assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), BACKSTOP_AUTOCHECKPOINT_PAGES);
      const sizeBefore = fs.statSync(file).size;
      db.exec('CREATE TABLE filler (body BLOB)');
      const insert = db.prepare('INSERT INTO filler (body) VALUES (?)');
      // ~4 MB: far below the backstop (~64 MB), so only the worker can have moved it into the file.
      db.transaction(() => {
        for (let i = 0; i < 256; i++) insert.run(Buffer.alloc(16_000, i));
      })();
      assert.ok(fs.statSync(`${file}-wal`).size > 4_000_000, 'the commit went to the WAL');
      assert.ok(await waitFor(() => fs.statSync(file).size >= sizeBefore + 4_000_000, 5000), 'the pages reached the database file');
      // Everything in the WAL is copied: a checkpoint now has nothing left to do.
      const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number; checkpointed: number }>;
      assert.equal(row.checkpointed, row.log);
      assert.deepEqual(logged, []);
    } finally {
      await checkpointer?.stop();
    }
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), DEFAULT_WAL_AUTOCHECKPOINT_PAGES, 'stopping hands checkpoints back');
  });

  it('hands checkpoints back to the writer and says why when the worker cannot open the store', async () => {
    const checkpointer = startWalCheckpointer(db, path.join(dir, 'missing', STORE_FILE_NAME), logger);
    assert.ok(checkpointer);
    assert.ok(await waitFor(() => db.pragma('wal_autocheckpoint', { simple: true }) === DEFAULT_WAL_AUTOCHECKPOINT_PAGES, 5000));
    assert.ok(logged.some((line) => /checkpoint/.test(line)), logged.join('\n'));
    await checkpointer.stop();
  });
});
