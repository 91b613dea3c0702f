// Figures the demo prints per generation, read back from the store (every number comes from the run).
import type Database from 'better-sqlite3';

export interface GenerationFigures {
  generation: number;
  runs: number;
  calls: number;
  costPerRun: number;
  secondsPerRun: number;
  outlineQuality: number | null;
  writeRating: number | null;
  cacheHits: number;
  /** Pipeline calls and replay calls up to the end of this generation. */
  cumulativePipelineCalls: number;
  cumulativeReplayCalls: number;
}

export function generationFigures(db: Database.Database, prefix: string, generation: number, cumulativePipelineCalls: number): GenerationFigures {
  const like = `${prefix}-%`;
  const totals = db
    .prepare(`SELECT COUNT(*) AS calls, COUNT(DISTINCT run_id) AS runs, COALESCE(SUM(cost_usd), 0) AS cost, COALESCE(SUM(cache_hit), 0) AS hits FROM calls WHERE run_id LIKE ?`)
    .get(like) as { calls: number; runs: number; cost: number; hits: number };
  const duration = db
    .prepare(`SELECT AVG(d) AS d FROM (SELECT MAX(started_at + COALESCE(latency_ms, 0)) - MIN(started_at) AS d FROM calls WHERE run_id LIKE ? GROUP BY run_id)`)
    .get(like) as { d: number | null };
  const score = (worker: string, name: string) =>
    (
      db
        .prepare(`SELECT AVG(COALESCE(s.raw_value, s.value)) AS v FROM scores s JOIN calls c ON c.id = s.call_id WHERE c.run_id LIKE ? AND c.worker = ? AND s.name = ?`)
        .get(like, worker, name) as { v: number | null }
    ).v;
  const replay = (db.prepare(`SELECT COUNT(*) AS n FROM experiment_samples`).get() as { n: number }).n;
  return {
    generation,
    runs: totals.runs,
    calls: totals.calls,
    costPerRun: totals.runs > 0 ? totals.cost / totals.runs : 0,
    secondsPerRun: (duration.d ?? 0) / 1000,
    outlineQuality: score('outline', 'quality'),
    writeRating: score('write', 'rating'),
    cacheHits: totals.hits,
    cumulativePipelineCalls,
    cumulativeReplayCalls: replay,
  };
}

export interface OptimumComparison {
  baselineCostPerRun: number;
  finalCostPerRun: number;
  optimumCostPerRun: number;
  achievedShare: number;
  /** The first generation at or past 80% of the achievable saving, with the calls spent until then. */
  reached80: { generation: number; pipelineCalls: number; replayCalls: number } | null;
}

export function compareWithOptimum(generations: readonly GenerationFigures[], optimumCostPerRun: number): OptimumComparison {
  const baseline = generations[0]?.costPerRun ?? 0;
  const final = generations.at(-1)?.costPerRun ?? 0;
  const achievable = baseline - optimumCostPerRun;
  const share = achievable > 0 ? (baseline - final) / achievable : 0;
  const hit = generations.find((g) => achievable > 0 && baseline - g.costPerRun >= 0.8 * achievable);
  return {
    baselineCostPerRun: baseline,
    finalCostPerRun: final,
    optimumCostPerRun,
    achievedShare: share,
    reached80: hit ? { generation: hit.generation, pipelineCalls: hit.cumulativePipelineCalls, replayCalls: hit.cumulativeReplayCalls } : null,
  };
}
