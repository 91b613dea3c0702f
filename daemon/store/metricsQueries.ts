// Reads behind the worker metrics: exact latency quantiles for small windows, runs and cost per
// run, and duplicate-request rates from the proxy's request hashes.
import type Database from 'better-sqlite3';
import { UNKNOWN_DIMENSION } from './rollupKey';
import type { TimeWindow } from './workerQueries';

/** SQL expressions matching rollupDimensions(), so raw reads group exactly like the rollups. */
export const WORKER_DIM = `COALESCE(NULLIF(worker, ''), '${UNKNOWN_DIMENSION}')`;
export const MODEL_DIM = `COALESCE(NULLIF(request_model, ''), NULLIF(response_model, ''), '${UNKNOWN_DIMENSION}')`;
export const PROMPT_DIM = `COALESCE(NULLIF(prompt_version, ''), 'fp:' || substr(prompt_fingerprint, 1, 12), '${UNKNOWN_DIMENSION}')`;

export interface GroupKey {
  worker: string;
  model: string;
  promptVersion: string;
}

/**
 * Every latency in the window of the given workers' calls, by worker × model × prompt version
 * (unsorted). One indexed read per worker; coarser groupings fold the dimensions themselves.
 */
export function latenciesByGroup(db: Database.Database, workers: readonly string[], window: TimeWindow): Map<string, number[]> {
  const result = new Map<string, number[]>();
  for (const worker of workers) {
    const filter = worker === UNKNOWN_DIMENSION ? `(worker IS NULL OR worker = '')` : `worker = @worker`;
    const rows = db
      .prepare(
        `SELECT ${MODEL_DIM} AS model, ${PROMPT_DIM} AS promptVersion, latency_ms AS latency FROM calls
         WHERE ${filter} AND started_at >= @since AND started_at < @until AND latency_ms IS NOT NULL`,
      )
      .raw()
      .all({ worker, since: window.since, until: window.until }) as Array<[string, string, number]>;
    for (const [model, promptVersion, latency] of rows) {
      const key = `${worker}\u0000${model}\u0000${promptVersion}`;
      const list = result.get(key);
      if (list) list.push(latency);
      else result.set(key, [latency]);
    }
  }
  return result;
}

export interface RunCostRow extends GroupKey {
  runs: number;
  runCost: number;
  /** Calls of the group that belong to a run. */
  calls: number;
}

/**
 * Distinct runs, their calls and cost, per group, in the window — or, with `latestCalls`, in the most
 * recent that many calls of the window (a sample that bounds the read on a large store).
 */
export function runCosts(db: Database.Database, window: TimeWindow, latestCalls?: number): RunCostRow[] {
  const source =
    latestCalls === undefined
      ? `calls WHERE started_at >= @since AND started_at < @until`
      : `(SELECT * FROM calls WHERE started_at >= @since AND started_at < @until ORDER BY started_at DESC LIMIT ${Math.floor(latestCalls)})`;
  return db
    .prepare(
      `SELECT ${WORKER_DIM} AS worker, ${MODEL_DIM} AS model, ${PROMPT_DIM} AS promptVersion,
              COUNT(DISTINCT run_id) AS runs, COALESCE(SUM(cost_usd), 0) AS runCost, COUNT(*) AS calls
       FROM ${source} ${latestCalls === undefined ? 'AND' : 'WHERE'} run_id IS NOT NULL
       GROUP BY 1, 2, 3`,
    )
    .all({ since: window.since, until: window.until }) as RunCostRow[];
}

export interface DuplicateRow {
  worker: string;
  requests: number;
  distinctRequests: number;
}

/** Cacheable requests and distinct request hashes per worker (measured whether or not caching is on). */
export function duplicateCounts(db: Database.Database, window: TimeWindow): DuplicateRow[] {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'proxy_request_hashes'`).get();
  if (!exists) return [];
  return db
    .prepare(
      `SELECT worker, COUNT(*) AS requests, COUNT(DISTINCT request_hash) AS distinctRequests
       FROM proxy_request_hashes WHERE at >= ? AND at < ? GROUP BY worker`,
    )
    .all(window.since, window.until) as DuplicateRow[];
}
