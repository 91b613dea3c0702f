// The main thread's side of the background WAL checkpointer (walCheckpointWorker.ts): starts it,
// raises the writing connection's auto-checkpoint to a backstop while it runs, and puts the usual
// threshold back if the worker fails, so the WAL never grows without bound.
import type Database from 'better-sqlite3';
import type { Logger } from '../log';
import { closeWorkerScript, startWorkerScript, workerScriptIn } from '../threads/workerScript';
import { DEFAULT_WAL_AUTOCHECKPOINT_PAGES } from './connection';
import type { WalCheckpointReply, WalCheckpointWorkerData } from './walCheckpointWorker';

/** The writer's own auto-checkpoint while the worker runs: ~64 MB of 16 KiB pages. */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 4000;

export interface WalCheckpointer {
  stop(): Promise<void>;
}

export function startWalCheckpointer(db: Database.Database, file: string, logger: Logger): WalCheckpointer | null {
  // Next to this module: dist/daemon in the bundle, daemon/store from source.
  const script = workerScriptIn(__dirname, 'walCheckpointWorker');
  if (!script || file === ':memory:') return null;
  const workerData: WalCheckpointWorkerData = { file, idleIntervalMs: 200, busyIntervalMs: 20, busyFrames: 256 };
  const worker = startWorkerScript(script, {
    workerData,
    // A few statements and timers: a small heap keeps the daemon's memory down.
    resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 2 },
  });
  worker.unref();
  let running = true;
  const fallBack = (reason: string) => {
    if (!running) return;
    running = false;
    logger.error('the WAL checkpoint worker stopped; the writer checkpoints by itself again', { reason });
    if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_WAL_AUTOCHECKPOINT_PAGES}`);
  };
  worker.on('message', (reply: WalCheckpointReply) => {
    if (reply.type === 'failed') logger.warn('background WAL checkpoint failed', { error: reply.message });
  });
  worker.on('error', (error) => fallBack(error.message));
  worker.on('exit', (code) => fallBack(`exited with code ${code}`));
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
  return {
    async stop() {
      if (!running) return;
      running = false;
      await closeWorkerScript(worker);
      if (db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_WAL_AUTOCHECKPOINT_PAGES}`);
    },
  };
}
