// Latency quantiles over long windows from the hourly rollup sketches, without decoding thousands of
// BLOBs per query: whole days are merged once and kept in memory, keyed by a fingerprint of the day's
// rows (count and sum of latencies), so a day that gains or moves calls is merged again.
import type Database from 'better-sqlite3';
import { DDSketch } from '@datadog/sketches-js';
import { DAY_MS, hourBucket } from './rollupKey';
import type { TimeWindow } from './workerQueries';

const MAX_CACHED_DAYS = 20_000;

interface CachedDay {
  fingerprint: string;
  sketch: DDSketch | null;
}

const dayCache = new Map<string, CachedDay>();

/** One rollup group's latency count and sum over one UTC day: the fingerprint of that day's sketch. */
export interface DayLatencyTotals {
  worker: string;
  model: string;
  promptVersion: string;
  day: number;
  n: number;
  total: number;
}

export interface GroupQuantiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/**
 * p50/p95/p99 over the window from the rollup sketches, per group: `groupOf` folds a worker × model ×
 * prompt version into the caller's grouping key.
 */
export function sketchQuantilesByGroup(
  db: Database.Database,
  window: TimeWindow,
  groupOf: (worker: string, model: string, promptVersion: string) => string,
  /** The whole days' totals when the caller has read them already (saves a scan of the rollups). */
  knownDays?: readonly DayLatencyTotals[],
): Map<string, GroupQuantiles> {
  const start = hourBucket(window.since);
  const firstFullDay = Math.ceil(start / DAY_MS) * DAY_MS;
  const lastFullDayEnd = Math.floor(window.until / DAY_MS) * DAY_MS;
  const merged = new Map<string, DDSketch>();
  const mergeInto = (key: string, part: DDSketch) => {
    const target = merged.get(key);
    if (target) target.merge(part);
    else {
      const copy = new DDSketch({ relativeAccuracy: 0.01 });
      copy.merge(part);
      merged.set(key, copy);
    }
  };

  // Whole days: fingerprints from the covering index, sketches from the cache or merged once.
  if (lastFullDayEnd > firstFullDay) {
    const days = knownDays?.filter((d) => d.day >= firstFullDay && d.day < lastFullDayEnd) ?? (db
      .prepare(
        `SELECT worker, model, prompt_version AS promptVersion, CAST(bucket_start / ${DAY_MS} AS INTEGER) * ${DAY_MS} AS day,
                SUM(latency_count) AS n, SUM(latency_sum) AS total
         FROM call_rollups WHERE bucket_start >= ? AND bucket_start < ? GROUP BY 1, 2, 3, 4`,
      )
      .all(firstFullDay, lastFullDayEnd) as DayLatencyTotals[]);
    const hours = db.prepare(
      `SELECT latency_sketch FROM call_rollups WHERE worker = ? AND model = ? AND prompt_version = ? AND bucket_start >= ? AND bucket_start < ?
         AND latency_sketch IS NOT NULL`,
    );
    for (const day of days) {
      if (day.n === 0) continue;
      const groupKey = groupOf(day.worker, day.model, day.promptVersion);
      const cacheKey = `${day.worker}\u0000${day.model}\u0000${day.promptVersion}\u0000${day.day}`;
      // Rounded: callers sum the same rows in different orders, and float sums may differ in the last bit.
      const fingerprint = `${day.n}:${Math.round(day.total * 1000)}`;
      let cached = dayCache.get(cacheKey);
      if (!cached || cached.fingerprint !== fingerprint) {
        let sketch: DDSketch | null = null;
        for (const row of hours.all(day.worker, day.model, day.promptVersion, day.day, day.day + DAY_MS) as Array<{ latency_sketch: Buffer }>) {
          const part = DDSketch.fromProto(row.latency_sketch);
          if (sketch) sketch.merge(part);
          else sketch = part;
        }
        cached = { fingerprint, sketch };
        dayCache.delete(cacheKey);
        dayCache.set(cacheKey, cached);
        while (dayCache.size > MAX_CACHED_DAYS) {
          const oldest = dayCache.keys().next();
          if (oldest.done) break;
          dayCache.delete(oldest.value);
        }
      }
      if (cached.sketch) mergeInto(groupKey, cached.sketch);
    }
  }

  // The partial days at either edge: their hours directly.
  const edges: Array<[number, number]> =
    lastFullDayEnd > firstFullDay
      ? [
          [start, firstFullDay],
          [lastFullDayEnd, window.until],
        ]
      : [[start, window.until]];
  const edgeRows = db.prepare(
    `SELECT worker, model, prompt_version AS promptVersion, latency_sketch FROM call_rollups
     WHERE bucket_start >= ? AND bucket_start < ? AND latency_sketch IS NOT NULL`,
  );
  for (const [from, to] of edges) {
    if (to <= from) continue;
    for (const row of edgeRows.all(from, to) as Array<{ worker: string; model: string; promptVersion: string; latency_sketch: Buffer }>) {
      mergeInto(groupOf(row.worker, row.model, row.promptVersion), DDSketch.fromProto(row.latency_sketch));
    }
  }

  const result = new Map<string, GroupQuantiles>();
  for (const [key, sketch] of merged) {
    result.set(key, sketch.count > 0 ? { p50: sketch.getValueAtQuantile(0.5), p95: sketch.getValueAtQuantile(0.95), p99: sketch.getValueAtQuantile(0.99) } : { p50: null, p95: null, p99: null });
  }
  return result;
}
