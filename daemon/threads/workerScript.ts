// Starting the daemon's worker threads from the bundle or from source. In the bundle each worker is
// its own entry next to cli.js; from source (tests, `tsx`) it is a .ts file that loads through tsx's
// require hook, since loader hooks registered in the main thread do not reach a worker thread.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `<dir>/<baseName>.js` (bundle) or `.ts` (source), whichever exists; null when neither does. */
export function workerScriptIn(dir: string, baseName: string): string | null {
  for (const ext of ['.js', '.ts']) {
    const file = path.join(dir, baseName + ext);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

export function startWorkerScript(file: string, options: WorkerOptions): Worker {
  return file.endsWith('.ts')
    ? new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(file)});`, { ...options, eval: true })
    : new Worker(file, options);
}

/**
 * Asks a worker to finish (`{ type: 'close' }`, answered with `{ type: 'closed' }`), waits at most
 * `graceMs` for the answer or its exit, then terminates it.
 */
export async function closeWorkerScript(worker: Worker, graceMs = 2000): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    worker.on('message', (reply: { type?: string }) => reply.type === 'closed' && resolve());
    worker.once('exit', () => resolve());
  });
  worker.postMessage({ type: 'close' });
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
  await worker.terminate();
}
