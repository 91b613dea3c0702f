// The metrics of one worker over a time window, as the watch compares them. Calls on the treatment
// arm of a live split are left out: they ran under a change other than the one being watched.
import type Database from 'better-sqlite3';
import type { WindowMetrics } from './watchApplied';

export function workerWindowMetrics(db: Database.Database, worker: string, since: number, until: number): WindowMetrics {
  const row = db
    .prepare(
      `SELECT COUNT(*) AS calls, SUM(status = 'ok') AS ok, COALESCE(SUM(cost_usd), 0) AS cost, COALESCE(SUM(cost_usd * cost_usd), 0) AS cost2, COUNT(cost_usd) AS priced, AVG(latency_ms) AS latency,
              AVG(latency_ms * latency_ms) AS latency2, COUNT(latency_ms) AS latency_n
       FROM calls WHERE worker = ? AND started_at >= ? AND started_at < ? AND COALESCE(variant, '') <> 'treatment'`,
    )
    .get(worker, since, until) as { calls: number; ok: number | null; cost: number; cost2: number; priced: number; latency: number | null; latency2: number | null; latency_n: number };
  const quality = db
    .prepare(
      `SELECT AVG(q) AS q, COUNT(q) AS n, AVG(q * q) AS q2 FROM (
         SELECT AVG(s.value) AS q FROM scores s JOIN calls c ON c.id = s.call_id
         WHERE c.worker = ? AND c.started_at >= ? AND c.started_at < ? AND s.value IS NOT NULL AND COALESCE(c.variant, '') <> 'treatment' GROUP BY c.id)`,
    )
    .get(worker, since, until) as { q: number | null; n: number; q2: number | null };
  const n = quality.n;
  const variance = n > 1 && quality.q !== null && quality.q2 !== null ? Math.max(0, ((quality.q2 - quality.q * quality.q) * n) / (n - 1)) : 0;
  return {
    calls: row.calls,
    successRate: row.calls > 0 ? (row.ok ?? 0) / row.calls : 1,
    // Over priced calls only: a call stored before its model's price was known has no cost, not a zero one.
    costPerCall: row.priced > 0 ? row.cost / row.priced : 0,
    costVariance: row.priced > 1 ? Math.max(0, (row.cost2 - (row.cost * row.cost) / row.priced) / (row.priced - 1)) : 0,
    latencyMeanMs: row.latency,
    latencyVariance: row.latency !== null && row.latency2 !== null && row.latency_n > 1 ? Math.max(0, ((row.latency2 - row.latency * row.latency) * row.latency_n) / (row.latency_n - 1)) : 0,
    quality: n > 0 ? quality.q : null,
    qualityCount: n,
    qualityVariance: variance,
  };
}
