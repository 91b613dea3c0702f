// Per-run figures the evolution report is computed from: duration (first call start to last call
// end), cost, quality (mean score of its calls) and success (each worker's last call succeeded, so a
// call retried successfully does not count as a failed run).
import type Database from 'better-sqlite3';

export interface RunPoint {
  runId: string;
  startedAt: number;
  durationMs: number;
  costUsd: number;
  calls: number;
  quality: number | null;
  success: boolean;
}

interface CallRow {
  run_id: string;
  worker: string | null;
  started_at: number;
  ended_at: number;
  cost: number | null;
  status: string;
  q: number | null;
}

export function runPoints(db: Database.Database, limitRuns = 20_000): RunPoint[] {
  const rows = db
    .prepare(
      `SELECT c.run_id, c.worker, c.started_at, c.started_at + COALESCE(c.latency_ms, 0) AS ended_at, c.cost_usd AS cost, c.status,
              (SELECT AVG(s.value) FROM scores s WHERE s.call_id = c.id AND s.value IS NOT NULL) AS q
       FROM calls c WHERE c.run_ref IN (
         SELECT r.ref FROM runs r WHERE EXISTS (SELECT 1 FROM calls x WHERE x.run_ref = r.ref) ORDER BY r.started_at DESC LIMIT ?)
       ORDER BY c.started_at`,
    )
    .all(limitRuns) as CallRow[];
  const runs = new Map<string, { rows: CallRow[] }>();
  for (const row of rows) {
    const run = runs.get(row.run_id) ?? { rows: [] };
    run.rows.push(row);
    runs.set(row.run_id, run);
  }
  const points: RunPoint[] = [];
  for (const [runId, run] of runs) {
    const start = Math.min(...run.rows.map((r) => r.started_at));
    const end = Math.max(...run.rows.map((r) => r.ended_at));
    const lastByWorker = new Map<string, CallRow>();
    for (const r of run.rows) lastByWorker.set(r.worker ?? '', r);
    const scored = run.rows.filter((r) => r.q !== null);
    points.push({
      runId,
      startedAt: start,
      durationMs: end - start,
      costUsd: run.rows.reduce((s, r) => s + (r.cost ?? 0), 0),
      calls: run.rows.length,
      quality: scored.length > 0 ? scored.reduce((s, r) => s + (r.q as number), 0) / scored.length : null,
      success: [...lastByWorker.values()].every((r) => r.status === 'ok'),
    });
  }
  return points.sort((a, b) => a.startedAt - b.startedAt);
}

export interface Performance {
  avg_generation_time: number;
  quality_score: number;
  cost_per_content: number;
  success_rate: number;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** Mean performance over runs; times in seconds, costs in USD, rates and quality in [0, 1]. */
export function performanceOf(points: readonly RunPoint[]): Performance {
  if (points.length === 0) return { avg_generation_time: 0, quality_score: 0, cost_per_content: 0, success_rate: 0 };
  const scored = points.filter((p) => p.quality !== null);
  return {
    avg_generation_time: round(points.reduce((s, p) => s + p.durationMs, 0) / points.length / 1000, 3),
    quality_score: round(scored.length > 0 ? scored.reduce((s, p) => s + (p.quality as number), 0) / scored.length : 0, 4),
    cost_per_content: round(points.reduce((s, p) => s + p.costUsd, 0) / points.length, 8),
    success_rate: round(points.filter((p) => p.success).length / points.length, 4),
  };
}
