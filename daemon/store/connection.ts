// Opens the store: one SQLite file in the data dir, WAL, foreign keys on, migrated to the latest schema.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { migrate } from './migrations';

export const STORE_FILE_NAME = 'flowtune.db';

export function openStore(dataDir: string): Database.Database {
  const file = path.join(dataDir, STORE_FILE_NAME);
  const db = new Database(file);
  // Prompts and outputs are the user's data: the store is readable by its owner only.
  fs.chmodSync(file, 0o600);
  configure(db);
  migrate(db);
  return db;
}

/** An in-memory store with the same schema, for unit tests and benchmarks' baselines. */
export function openMemoryStore(): Database.Database {
  const db = new Database(':memory:');
  configure(db);
  migrate(db);
  return db;
}

function configure(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a process crash (kill -9): a committed transaction is in the WAL
  // before the call returns; only an OS crash or power loss can lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -65536');
}
