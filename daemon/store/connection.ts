// Opens the store: one SQLite file in the data dir, WAL, foreign keys on, migrated to the latest schema.
import type Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { migrate } from './migrations';
import { openDatabase } from './sqliteBinding';

export const STORE_FILE_NAME = 'flowtune.db';
/** ~40 MB of WAL (16 KiB pages) between checkpoints when the writer checkpoints by itself. */
export const DEFAULT_WAL_AUTOCHECKPOINT_PAGES = 2500;

export function openStore(dataDir: string): Database.Database {
  const file = path.join(dataDir, STORE_FILE_NAME);
  const db = openDatabase(file);
  try {
    // Prompts and outputs are the user's data: the store is readable by its owner only.
    fs.chmodSync(file, 0o600);
    configure(db);
    migrate(db);
  } catch (error) {
    db.close();
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new Error(`the store ${file} is not a readable SQLite database (${(error as Error).message}); move it aside to start with an empty store — nothing was changed`);
    }
    throw error;
  }
  return db;
}

/** An in-memory store with the same schema, for unit tests and benchmarks' baselines. */
export function openMemoryStore(): Database.Database {
  const db = openDatabase(':memory:');
  configure(db);
  migrate(db);
  return db;
}

function configure(db: Database.Database): void {
  // 16 KiB pages (takes effect when the file is created): an OTLP batch dirties one leaf page per
  // trace in each id/run index whatever the page size, so fewer, larger pages mean fewer WAL frames
  // per commit (~250 instead of ~660 for 512 spans; commit CPU -30%), and 1.5 KB call rows pack
  // with less waste (the file is a third smaller).
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a process crash (kill -9): a committed transaction is in the WAL
  // before the call returns; only an OS crash or power loss can lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -16384');
  // Checkpoints (which fsync) every ~40 MB of WAL instead of every 1,000 pages: fewer stalls on the
  // ingest path. The daemon moves them to a worker thread (walCheckpointer.ts) and raises this.
  db.pragma(`wal_autocheckpoint = ${DEFAULT_WAL_AUTOCHECKPOINT_PAGES}`);
}
