// How the `flowtune daemon` process collects garbage. Applied once by the `daemon` command before the
// store and the worker threads start (V8 flags are process-wide, so the workers get it too); not by
// daemons started inside another process (tests, `flowtune demo`), whose host owns its heap.
import * as v8 from 'node:v8';

/**
 * After each full collection, the old generation may grow to 1.1 × what survived before the next
 * one, instead of V8's adaptive factor (up to 4× for a fast-allocating process). Ingest allocates
 * hundreds of MB per second of short-lived span text, so the adaptive factor let ~150 MB of garbage
 * pile up across the two heaps (RSS 330–380 MB); at 1.1× the same load stays near 250 MB, measured
 * without a throughput change beyond the run-to-run noise (`npm run bench`). Unlike a hard cap
 * (`--max-old-space-size`), it can never end the process with an out-of-memory error.
 */
export const DAEMON_V8_FLAGS = ['--heap-growing-percent=10'] as const;

export function tuneDaemonHeap(): void {
  for (const flag of DAEMON_V8_FLAGS) v8.setFlagsFromString(flag);
}
