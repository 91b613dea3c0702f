// What the watch loop reads: which series were active, and each one's recent calls and scores.
import type Database from 'better-sqlite3';
import type { GroupCall } from '../analysis/groupEvaluation';
import { MODEL_DIM, PROMPT_DIM, type GroupKey } from './metricsQueries';
import { UNKNOWN_DIMENSION, hourBucket } from './rollupKey';

/** One call as the watch loop evaluates it (the shape the pure group evaluation takes). */
export type WatchedCall = GroupCall;

/** Worker × model × prompt groups with calls since `since` (from the rollups: cheap on any store). */
export function activeGroups(db: Database.Database, since: number, until: number): GroupKey[] {
  return db
    .prepare(
      `SELECT DISTINCT worker, model, prompt_version AS promptVersion FROM call_rollups
       WHERE bucket_start >= ? AND bucket_start < ? ORDER BY worker, model, prompt_version`,
    )
    .all(hourBucket(since), until) as GroupKey[];
}

function workerFilter(key: GroupKey): string {
  return key.worker === UNKNOWN_DIMENSION ? `(worker IS NULL OR worker = '')` : `worker = @worker`;
}

/**
 * The last `perGroup` calls of every given group up to `until`, oldest first: one indexed read per
 * worker (newest first, bounded), partitioned by model and prompt version in memory — instead of one
 * filtered walk per group.
 */
export function recentCallsByGroup(db: Database.Database, groups: readonly GroupKey[], until: number, perGroup: number): Map<string, WatchedCall[]> {
  const byWorker = new Map<string, GroupKey[]>();
  for (const group of groups) byWorker.set(group.worker, [...(byWorker.get(group.worker) ?? []), group]);
  const result = new Map<string, WatchedCall[]>();
  for (const [worker, workerGroups] of byWorker) {
    const wanted = new Set(workerGroups.map((g) => groupId(g)));
    const key = { worker, model: '', promptVersion: '' };
    const limit = Math.min(perGroup * workerGroups.length * 2, 50_000);
    // Raw rows (arrays): building objects for every row read cost more than the read itself.
    const rows = db
      .prepare(
        `SELECT ${MODEL_DIM}, ${PROMPT_DIM}, started_at, latency_ms, cost_usd, input_tokens, output_tokens, status, http_status, stream
         FROM calls WHERE ${workerFilter(key)} AND started_at < @until ORDER BY started_at DESC LIMIT @limit`,
      )
      .raw()
      .all({ worker, until, limit }) as Array<[string, string, number, number | null, number | null, number | null, number | null, string, number | null, number | null]>;
    for (const [model, promptVersion, t, latencyMs, costUsd, inputTokens, outputTokens, status, httpStatus, stream] of rows) {
      const id = groupId({ worker, model, promptVersion });
      if (!wanted.has(id)) continue;
      let list = result.get(id);
      if (!list) {
        list = [];
        result.set(id, list);
      }
      if (list.length >= perGroup) continue;
      list.push({ t, latencyMs, costUsd, inputTokens, outputTokens, status, httpStatus, stream });
    }
  }
  for (const list of result.values()) list.reverse();
  return result;
}

export function groupId(key: GroupKey): string {
  return `${key.worker}\u0000${key.model}\u0000${key.promptVersion}`;
}

/** The group's last `limit` normalised quality scores (0..1), oldest first. */
export function recentGroupQuality(db: Database.Database, key: GroupKey, until: number, limit: number): Array<{ t: number; value: number }> {
  const rows = db
    .prepare(
      `SELECT s.created_at AS t, s.value AS value FROM scores s JOIN calls c ON c.id = s.call_id
       WHERE ${key.worker === UNKNOWN_DIMENSION ? `(c.worker IS NULL OR c.worker = '')` : `c.worker = @worker`}
         AND s.value IS NOT NULL AND s.created_at < @until
         AND COALESCE(NULLIF(c.request_model, ''), NULLIF(c.response_model, ''), '${UNKNOWN_DIMENSION}') = @model
         AND COALESCE(NULLIF(c.prompt_version, ''), 'fp:' || substr(c.prompt_fingerprint, 1, 12), '${UNKNOWN_DIMENSION}') = @promptVersion
       ORDER BY s.created_at DESC LIMIT @limit`,
    )
    .all({ ...key, until, limit }) as Array<{ t: number; value: number }>;
  return rows.reverse();
}
