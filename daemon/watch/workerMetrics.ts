// Worker metrics per worker × model × prompt version over a window: the store's rollups and raw
// calls read at this edge, the numbers assembled by pure functions. Quantiles are exact while a
// group has few calls in the window and come from the merged hourly DDSketches beyond that.
import type Database from 'better-sqlite3';
import type { MetricTrend, WorkerMetrics } from '../../shared/domain';
import { metricTrend, type TimedValue } from '../analysis/metricTrend';
import { quantileLower } from '../analysis/robust';
import { duplicateCounts, groupLatencies, runCosts } from '../store/metricsQueries';
import { hourBucket } from '../store/rollupKey';
import { aggregateWorkers, type AggregateGrouping, type TimeWindow } from '../store/workerQueries';

/** Up to this many calls in a group's window, quantiles are computed exactly from the raw calls. */
export const EXACT_QUANTILE_LIMIT = 5_000;

interface HourlyRow {
  worker: string;
  model: string;
  prompt_version: string;
  bucket_start: number;
  calls: number;
  errors: number;
  cost_usd: number;
  latency_sum: number;
  latency_count: number;
  quality_sum: number;
  quality_count: number;
}

export function computeWorkerMetrics(
  db: Database.Database,
  window: TimeWindow,
  grouping: AggregateGrouping = 'worker_model_prompt',
): WorkerMetrics[] {
  const aggregates = aggregateWorkers(db, window, grouping);
  // Groups coarser than worker × model × prompt fold those dimensions into '*', as aggregateWorkers does.
  const groupKey = (worker: string, model: string, promptVersion: string) =>
    `${worker}\u0000${grouping === 'worker' ? '*' : model}\u0000${grouping === 'worker_model_prompt' ? promptVersion : '*'}`;
  const length = window.until - window.since;
  // One read of the hourly rows for both periods feeds every trend.
  const hourly = db
    .prepare(
      `SELECT worker, model, prompt_version, bucket_start, calls, errors, cost_usd, latency_sum, latency_count, quality_sum, quality_count
       FROM call_rollups WHERE bucket_start >= ? AND bucket_start < ?`,
    )
    .all(hourBucket(window.since - length), window.until) as HourlyRow[];
  const hourlyByGroup = new Map<string, HourlyRow[]>();
  for (const row of hourly) {
    const key = groupKey(row.worker, row.model, row.prompt_version);
    const list = hourlyByGroup.get(key);
    if (list) list.push(row);
    else hourlyByGroup.set(key, [row]);
  }
  const runsByGroup = new Map<string, { runs: number; runCost: number }>();
  for (const r of runCosts(db, window)) {
    const key = groupKey(r.worker, r.model, r.promptVersion);
    const sum = runsByGroup.get(key) ?? { runs: 0, runCost: 0 };
    // Coarser groups add runs of their parts: a run seen under two models counts twice (an upper bound).
    sum.runs += r.runs;
    sum.runCost += r.runCost;
    runsByGroup.set(key, sum);
  }
  const duplicates = new Map(duplicateCounts(db, window).map((d) => [d.worker, d]));

  return aggregates.map((a): WorkerMetrics => {
    const key = groupKey(a.worker, a.model, a.promptVersion);
    let p50 = a.latencyP50Ms;
    let p95 = a.latencyP95Ms;
    let p99 = a.latencyP99Ms;
    let quantileMethod: WorkerMetrics['quantileMethod'] = 'sketch';
    if (a.calls <= EXACT_QUANTILE_LIMIT) {
      const latencies = groupLatencies(db, { worker: a.worker, model: a.model, promptVersion: a.promptVersion }, window);
      if (latencies.length > 0) {
        p50 = quantileLower(latencies, 0.5);
        p95 = quantileLower(latencies, 0.95);
        p99 = quantileLower(latencies, 0.99);
        quantileMethod = 'exact';
      }
    }
    const run = runsByGroup.get(key);
    const duplicate = duplicates.get(a.worker);
    const rows = mergeByHour(hourlyByGroup.get(key) ?? []);
    const series = (pick: (r: HourlyRow) => number | null): TimedValue[] => rows.map((r) => ({ at: r.bucket_start, value: pick(r) }));
    const trendOf = (pick: (r: HourlyRow) => number | null): MetricTrend => metricTrend(series(pick), window);
    return {
      worker: a.worker,
      model: a.model,
      promptVersion: a.promptVersion,
      since: window.since,
      until: window.until,
      calls: a.calls,
      errors: a.errors,
      inputTokens: a.inputTokens,
      outputTokens: a.outputTokens,
      runs: run?.runs ?? 0,
      successRate: a.successRate,
      errorRate: a.calls > 0 ? a.errors / a.calls : 0,
      rateLimitedRate: a.calls > 0 ? a.rateLimited / a.calls : 0,
      latencyP50Ms: p50,
      latencyP95Ms: p95,
      latencyP99Ms: p99,
      quantileMethod,
      ttftMeanMs: a.ttftMeanMs,
      inputTokensPerCall: a.calls > 0 ? a.inputTokens / a.calls : 0,
      outputTokensPerCall: a.calls > 0 ? a.outputTokens / a.calls : 0,
      costUsd: a.costUsd,
      costPerCall: a.costPerCall,
      costPerRun: run && run.runs > 0 ? run.runCost / run.runs : null,
      quality: a.quality,
      qualityCount: a.qualityCount,
      cacheHitRate: a.calls > 0 ? a.cacheHits / a.calls : 0,
      duplicateRate: duplicate && duplicate.requests > 0 ? 1 - duplicate.distinctRequests / duplicate.requests : null,
      lengthStopRate: a.calls > 0 ? a.lengthStops / a.calls : 0,
      trends: {
        latencyMs: trendOf((r) => (r.latency_count > 0 ? r.latency_sum / r.latency_count : null)),
        costPerCall: trendOf((r) => (r.calls > 0 ? r.cost_usd / r.calls : null)),
        errorRate: trendOf((r) => (r.calls > 0 ? r.errors / r.calls : null)),
        quality: trendOf((r) => (r.quality_count > 0 ? r.quality_sum / r.quality_count : null)),
      },
    };
  });
}



/** Folds rows of one group that share an hour (coarse groupings) into one row per hour. */
function mergeByHour(rows: HourlyRow[]): HourlyRow[] {
  const byHour = new Map<number, HourlyRow>();
  for (const row of rows) {
    const existing = byHour.get(row.bucket_start);
    if (!existing) {
      byHour.set(row.bucket_start, { ...row });
      continue;
    }
    existing.calls += row.calls;
    existing.errors += row.errors;
    existing.cost_usd += row.cost_usd;
    existing.latency_sum += row.latency_sum;
    existing.latency_count += row.latency_count;
    existing.quality_sum += row.quality_sum;
    existing.quality_count += row.quality_count;
  }
  return [...byHour.values()].sort((a, b) => a.bucket_start - b.bucket_start);
}
