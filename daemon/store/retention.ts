// Keeps the store bounded: raw runs, steps, calls and scores older than the retention horizon are
// deleted in small chunks (so ingestion never waits long); hourly rollups outlive them.
import type Database from 'better-sqlite3';

export interface RetentionPolicy {
  rawDays: number;
  rollupDays: number;
}

export interface RetentionResult {
  runs: number;
  calls: number;
  steps: number;
  scores: number;
  rollups: number;
}

const DAY_MS = 86_400_000;
const CHUNK = 5_000;

export function applyRetention(db: Database.Database, policy: RetentionPolicy, now = Date.now()): RetentionResult {
  const rawCutoff = now - policy.rawDays * DAY_MS;
  const rollupCutoff = now - policy.rollupDays * DAY_MS;
  const result: RetentionResult = { runs: 0, calls: 0, steps: 0, scores: 0, rollups: 0 };
  const chunked = (sql: string, cutoff: number) => {
    const statement = db.prepare(sql);
    let total = 0;
    for (;;) {
      const changes = statement.run(cutoff, CHUNK).changes;
      total += changes;
      if (changes < CHUNK) return total;
    }
  };
  result.scores = chunked(`DELETE FROM scores WHERE rowid IN (SELECT rowid FROM scores WHERE created_at < ? LIMIT ?)`, rawCutoff);
  result.calls = chunked(`DELETE FROM calls WHERE rowid IN (SELECT rowid FROM calls WHERE started_at < ? LIMIT ?)`, rawCutoff);
  result.steps = chunked(`DELETE FROM steps WHERE rowid IN (SELECT rowid FROM steps WHERE started_at < ? LIMIT ?)`, rawCutoff);
  // A run goes only when nothing of it is left (a long run keeps its row while its calls are young).
  result.runs = chunked(
    `DELETE FROM runs WHERE rowid IN (SELECT rowid FROM runs r WHERE started_at < ?
       AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.run_ref = r.ref) LIMIT ?)`,
    rawCutoff,
  );
  // Rollups are few (one per series and hour) and WITHOUT ROWID: one indexed delete is enough.
  result.rollups = db.prepare(`DELETE FROM call_rollups WHERE bucket_start < ?`).run(rollupCutoff).changes;
  return result;
}
