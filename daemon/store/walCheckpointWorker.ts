// Worker-thread entry: checkpoints the store's WAL on its own connection, so copying WAL pages into
// the database file and the fsyncs that go with it happen off the daemon's event loop (a checkpoint
// run by the writing connection stalls every request behind it for tens of milliseconds).
//
// PASSIVE checkpoints never wait for the writer or readers; they copy what they can. The WAL only
// starts over when a checkpoint has copied every frame before the writer's next transaction, which a
// busy writer may never allow, so the main connection keeps a (high) auto-checkpoint of its own as
// the backstop: by the time it fires, nearly everything has been copied here and its pass is short.
import type Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './sqliteBinding';

export interface WalCheckpointWorkerData {
  file: string;
  /** Wait between passes while the WAL receives little. */
  idleIntervalMs: number;
  /** Wait between passes while a pass still found this many frames or more to copy. */
  busyIntervalMs: number;
  busyFrames: number;
}

export type WalCheckpointRequest = { type: 'close' };
export type WalCheckpointReply = { type: 'failed'; message: string } | { type: 'closed' };

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

const options = workerData as WalCheckpointWorkerData;
const post = (reply: WalCheckpointReply) => parentPort?.postMessage(reply);
let db: Database.Database | null = null;
let timer: NodeJS.Timeout | null = null;
let copiedBefore = 0;

function pass(): void {
  timer = null;
  if (!db) return;
  let next = options.idleIntervalMs;
  try {
    const row = (db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[])[0];
    // `checkpointed` counts from the start of the current WAL; a smaller figure means it started over.
    const copied = row && row.checkpointed >= copiedBefore ? row.checkpointed - copiedBefore : (row?.checkpointed ?? 0);
    copiedBefore = row?.checkpointed ?? 0;
    if (copied >= options.busyFrames) next = options.busyIntervalMs;
  } catch (error) {
    post({ type: 'failed', message: (error as Error).message });
  }
  timer = setTimeout(pass, next);
}

try {
  db = openDatabase(options.file, { fileMustExist: true });
  db.pragma('synchronous = NORMAL');
  timer = setTimeout(pass, options.idleIntervalMs);
} catch (error) {
  // Without a connection there is nothing to do here: exiting hands checkpoints back to the writer.
  post({ type: 'failed', message: (error as Error).message });
  process.exit(1);
}

parentPort?.on('message', (request: WalCheckpointRequest) => {
  if (request.type !== 'close') return;
  if (timer) clearTimeout(timer);
  timer = null;
  db?.close();
  db = null;
  post({ type: 'closed' });
});
