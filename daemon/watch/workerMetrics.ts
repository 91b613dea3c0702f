// Worker metrics per worker × model × prompt version over a window: the store's rollups and raw
// calls read at this edge, the numbers assembled by pure functions. Quantiles are exact while a
// group has few calls in the window and come from the merged hourly DDSketches beyond that.
import type Database from 'better-sqlite3';
import type { MetricTrend, WorkerMetrics } from '../../shared/domain';
import { metricTrend, type TimedValue } from '../analysis/metricTrend';
import { duplicateCounts, latenciesByGroup, runCosts } from '../store/metricsQueries';
import { hourBucket } from '../store/rollupKey';
import { sketchQuantilesByGroup, type GroupQuantiles } from '../store/latencySketches';
import { aggregateWorkers, type AggregateGrouping, type TimeWindow } from '../store/workerQueries';

/**
 * Up to this many calls in a group's window, quantiles are computed exactly from the raw calls (when
 * retention has kept them all); beyond it, or once raw rows are gone, from the merged hourly DDSketches.
 */
export const EXACT_QUANTILE_LIMIT = 20_000;

/**
 * Above this many calls in the whole window, the raw reads (latencies for exact quantiles, distinct
 * runs for cost per run) would dominate the analysis: quantiles come from the sketches and cost per
 * run from the most recent calls of the window.
 */
export const RAW_READ_LIMIT = 100_000;

/** How many of a large window's most recent calls estimate calls per run. */
const RUN_SAMPLE_CALLS = 20_000;

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
  const aggregates = aggregateWorkers(db, window, grouping, { quantiles: false });
  // Groups coarser than worker × model × prompt fold those dimensions into '*', as aggregateWorkers does.
  const groupKey = (worker: string, model: string, promptVersion: string) =>
    `${worker}\u0000${grouping === 'worker' ? '*' : model}\u0000${grouping === 'worker_model_prompt' ? promptVersion : '*'}`;
  const length = window.until - window.since;
  // One read of the hourly rows for both periods feeds every trend.
  const hourly = (
    db
      .prepare(
        `SELECT worker, model, prompt_version, bucket_start, calls, errors, cost_usd, latency_sum, latency_count, quality_sum, quality_count
         FROM call_rollups WHERE bucket_start >= ? AND bucket_start < ?`,
      )
      .raw()
      .all(hourBucket(window.since - length), window.until) as Array<[string, string, string, number, number, number, number, number, number, number, number]>
  ).map(
    ([worker, model, prompt_version, bucket_start, calls, errors, cost_usd, latency_sum, latency_count, quality_sum, quality_count]): HourlyRow => ({
      worker, model, prompt_version, bucket_start, calls, errors, cost_usd, latency_sum, latency_count, quality_sum, quality_count,
    }),
  );
  const hourlyByGroup = new Map<string, HourlyRow[]>();
  for (const row of hourly) {
    const key = groupKey(row.worker, row.model, row.prompt_version);
    const list = hourlyByGroup.get(key);
    if (list) list.push(row);
    else hourlyByGroup.set(key, [row]);
  }
  const windowCalls = aggregates.reduce((sum, a) => sum + a.calls, 0);
  const largeWindow = windowCalls > RAW_READ_LIMIT;
  const runsByGroup = new Map<string, { runs: number; runCost: number; calls: number }>();
  for (const r of runCosts(db, window, largeWindow ? RUN_SAMPLE_CALLS : undefined)) {
    const key = groupKey(r.worker, r.model, r.promptVersion);
    const sum = runsByGroup.get(key) ?? { runs: 0, runCost: 0, calls: 0 };
    // Coarser groups add runs of their parts: a run seen under two models counts twice (an upper bound).
    sum.runs += r.runs;
    sum.runCost += r.runCost;
    sum.calls += r.calls;
    runsByGroup.set(key, sum);
  }
  const duplicates = new Map(duplicateCounts(db, window).map((d) => [d.worker, d]));
  // Exact quantiles for the groups small enough: one read per worker that has such a group.
  const smallWorkers = largeWindow ? [] : [...new Set(aggregates.filter((a) => a.calls <= EXACT_QUANTILE_LIMIT).map((a) => a.worker))];
  const latencies = new Map<string, number[]>();
  for (const [rawKey, values] of latenciesByGroup(db, smallWorkers, window)) {
    const [worker, model, promptVersion] = rawKey.split('\u0000');
    const key = groupKey(worker, model, promptVersion);
    const list = latencies.get(key);
    if (list) list.push(...values);
    else latencies.set(key, values);
  }

  // Retention may have deleted part of a window's raw calls: then only the sketches are complete.
  const exactFor = (a: (typeof aggregates)[number]) => {
    const values = a.calls <= EXACT_QUANTILE_LIMIT ? latencies.get(groupKey(a.worker, a.model, a.promptVersion)) : undefined;
    return values !== undefined && values.length >= a.latencyCount ? values : undefined;
  };
  const sketched = aggregates.some((a) => a.latencyCount > 0 && !exactFor(a))
    ? sketchQuantilesByGroup(db, window, groupKey)
    : new Map<string, GroupQuantiles>();

  return aggregates.map((a): WorkerMetrics => {
    const key = groupKey(a.worker, a.model, a.promptVersion);
    const exact = exactFor(a);
    let p50: number | null = null;
    let p95: number | null = null;
    let p99: number | null = null;
    let quantileMethod: WorkerMetrics['quantileMethod'] = 'sketch';
    if (exact && exact.length > 0) {
      // Lower-rank quantiles: the definition DDSketch uses, so both methods agree.
      exact.sort((x, y) => x - y);
      p50 = exact[Math.floor(0.5 * (exact.length - 1))];
      p95 = exact[Math.floor(0.95 * (exact.length - 1))];
      p99 = exact[Math.floor(0.99 * (exact.length - 1))];
      quantileMethod = 'exact';
    } else {
      const fromSketch = sketched.get(key);
      p50 = fromSketch?.p50 ?? null;
      p95 = fromSketch?.p95 ?? null;
      p99 = fromSketch?.p99 ?? null;
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
      // In a large window the runs come from its most recent calls: calls per run × this group's cost per call.
      costPerRun: run && run.runs > 0 ? (largeWindow ? (a.costPerCall * run.calls) / run.runs : run.runCost / run.runs) : null,
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
