// The overview: cost, latency, quality and error rate over the window against the window before it
// (the baseline), from the rollup cells; and the savings to date — cache hits recorded by the proxy
// and the estimated effect of each applied optimization on its worker's cost since it went live.
import type Database from 'better-sqlite3';
import type { DashboardOverview, PeriodFigure } from '../../shared/http/dashboard';
import type { AppliedChange } from './engineSections';
import { mergedQuantiles, type RollupCell } from './rollupCells';
import { round } from './workerSeries';

export function periodFigure(current: number | null, baseline: number | null): PeriodFigure {
  const change = current !== null && baseline !== null && baseline !== 0 ? (current - baseline) / Math.abs(baseline) : null;
  return { current, baseline, change: change === null ? null : round(change, 4) };
}

interface PeriodTotals {
  calls: number;
  costUsd: number;
  errorRate: number | null;
  quality: number | null;
  latencyP95Ms: number | null;
}

function totals(cells: readonly RollupCell[]): PeriodTotals {
  let calls = 0;
  let errors = 0;
  let costUsd = 0;
  let qualitySum = 0;
  let qualityCount = 0;
  for (const c of cells) {
    calls += c.calls;
    errors += c.errors;
    costUsd += c.costUsd;
    qualitySum += c.qualitySum;
    qualityCount += c.qualityCount;
  }
  const { p95 } = mergedQuantiles(cells);
  return {
    calls,
    costUsd: round(costUsd, 6),
    errorRate: calls > 0 ? round(errors / calls, 5) : null,
    quality: qualityCount > 0 ? round(qualitySum / qualityCount, 4) : null,
    latencyP95Ms: p95 === null ? null : round(p95, 1),
  };
}

export type Savings = DashboardOverview['savings'];

/** Window figures against the baseline window; `savings` comes from the slower, cached tier. */
export function overviewOf(cells: readonly RollupCell[], since: number, savings: Savings): DashboardOverview {
  const now = totals(cells.filter((c) => c.hour >= since));
  const before = totals(cells.filter((c) => c.hour < since));
  const hasBaseline = before.calls > 0;
  return {
    calls: periodFigure(now.calls, hasBaseline ? before.calls : null),
    costUsd: periodFigure(now.costUsd, hasBaseline ? before.costUsd : null),
    latencyP95Ms: periodFigure(now.latencyP95Ms, before.latencyP95Ms),
    quality: periodFigure(now.quality, before.quality),
    errorRate: periodFigure(now.errorRate, before.errorRate),
    savings,
  };
}

/**
 * Savings to date. Cache hits: what their source calls cost. Applied optimizations: with a cost
 * change r (measured after applying, else expected), the worker's actual cost C since then would
 * have been C / (1 + r) without it, so it saved C·(1/(1 + r) − 1).
 */
export function savingsToDate(db: Database.Database, applied: readonly AppliedChange[]): Savings {
  const cache = db.prepare('SELECT COALESCE(SUM(saved_usd), 0) AS usd, COUNT(*) AS hits FROM proxy_cache_hits').get() as { usd: number; hits: number };
  const costSince = db.prepare('SELECT COALESCE(SUM(cost_usd), 0) AS usd FROM calls WHERE worker = ? AND started_at >= ?');
  let optimizationsUsd = 0;
  for (const change of applied) {
    const r = change.costChange;
    if (r === null || !change.worker || r <= -0.95 || r >= 0) continue;
    const { usd } = costSince.get(change.worker, change.appliedAt) as { usd: number };
    optimizationsUsd += usd * (1 / (1 + r) - 1);
  }
  const cacheUsd = round(cache.usd, 6);
  return {
    cacheUsd,
    cacheHits: cache.hits,
    optimizationsUsd: round(optimizationsUsd, 6),
    appliedOptimizations: applied.length,
    totalUsd: round(cacheUsd + optimizationsUsd, 6),
  };
}
