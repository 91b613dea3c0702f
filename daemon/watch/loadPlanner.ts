// Load planning: requests per 5-minute bucket over the last two days → a seasonal forecast for the
// next hour → a concurrency recommendation by Little's law (and the figure the proxy's limiter can use).
import type Database from 'better-sqlite3';
import { forecastLoad, type LoadForecast } from '../analysis/loadForecast';
import { quantileLower } from '../analysis/robust';

export const LOAD_BUCKET_MS = 5 * 60_000;
const HISTORY_MS = 2 * 86_400_000;

export interface LoadPlan extends LoadForecast {
  bucketMs: number;
  history: Array<{ bucketStart: number; requests: number }>;
  p95LatencyMs: number;
  currentRatePerSecond: number;
}

export function planLoad(db: Database.Database, now: number, worker?: string): LoadPlan {
  const since = Math.floor((now - HISTORY_MS) / LOAD_BUCKET_MS) * LOAD_BUCKET_MS;
  const rows = db
    .prepare(
      `SELECT CAST(started_at / ${LOAD_BUCKET_MS} AS INTEGER) * ${LOAD_BUCKET_MS} AS bucketStart, COUNT(*) AS requests
       FROM calls WHERE started_at >= ? AND started_at < ? ${worker !== undefined ? 'AND worker = ?' : ''}
       GROUP BY 1 ORDER BY 1`,
    )
    .all(...[since, now, ...(worker !== undefined ? [worker] : [])]) as Array<{ bucketStart: number; requests: number }>;
  const latencies = (
    db
      .prepare(
        `SELECT latency_ms FROM calls WHERE started_at >= ? AND latency_ms IS NOT NULL ${worker !== undefined ? 'AND worker = ?' : ''}
         ORDER BY started_at DESC LIMIT 2000`,
      )
      .all(...[now - HISTORY_MS, ...(worker !== undefined ? [worker] : [])]) as Array<{ latency_ms: number }>
  ).map((r) => r.latency_ms);
  const p95LatencyMs = latencies.length > 0 ? quantileLower(latencies, 0.95) : 0;
  // A regular grid from the first active bucket to now: empty buckets are zero requests, not gaps.
  const counts: number[] = [];
  const history: LoadPlan['history'] = [];
  if (rows.length > 0) {
    const byBucket = new Map(rows.map((r) => [r.bucketStart, r.requests]));
    const lastBucket = Math.floor((now - 1) / LOAD_BUCKET_MS) * LOAD_BUCKET_MS;
    for (let t = rows[0].bucketStart; t <= lastBucket; t += LOAD_BUCKET_MS) {
      const requests = byBucket.get(t) ?? 0;
      counts.push(requests);
      history.push({ bucketStart: t, requests });
    }
  }
  const forecast = forecastLoad({ counts, bucketSeconds: LOAD_BUCKET_MS / 1000, seasonBuckets: 86_400_000 / LOAD_BUCKET_MS, p95LatencyMs });
  const recent = counts.slice(-3);
  return {
    ...forecast,
    bucketMs: LOAD_BUCKET_MS,
    history,
    p95LatencyMs,
    currentRatePerSecond: recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length / (LOAD_BUCKET_MS / 1000) : 0,
  };
}
