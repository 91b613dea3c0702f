// The read side the analysis, the editor and the dashboard need: aggregates per worker x model x
// prompt version over a window, time series in buckets, and a worker's recent calls.
// Aggregates read the hourly rollups (fast on any store size); quantiles merge the rollups' DDSketches.
import type Database from 'better-sqlite3';
import { DDSketch } from '@datadog/sketches-js';
import { DAY_MS, HOUR_MS, hourBucket } from './rollupKey';
import { sketchQuantilesByGroup } from './latencySketches';


export interface TimeWindow {
  /** Inclusive start, epoch ms. Rounded down to the hour for rollup reads. */
  since: number;
  /** Exclusive end, epoch ms. */
  until: number;
}

export interface WorkerAggregate {
  worker: string;
  model: string;
  promptVersion: string;
  calls: number;
  errors: number;
  cancelled: number;
  successRate: number;
  rateLimited: number;
  cacheHits: number;
  lengthStops: number;
  streamedWithoutUsage: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costUsd: number;
  costPerCall: number;
  latencyMeanMs: number | null;
  /** Calls with a latency (the count behind the mean and the quantiles). */
  latencyCount: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  ttftMeanMs: number | null;
  quality: number | null;
  qualityCount: number;
}

interface RollupRow {
  worker: string;
  model: string;
  prompt_version: string;
  calls: number;
  errors: number;
  cancelled: number;
  rate_limited: number;
  cache_hits: number;
  length_stops: number;
  streamed_without_usage: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  latency_sum: number;
  latency_count: number;
  ttft_sum: number;
  ttft_count: number;
  quality_sum: number;
  quality_count: number;
  latency_sketch: Buffer | null;
}

export type AggregateGrouping = 'worker' | 'worker_model' | 'worker_model_prompt';

/** Aggregates per group over the window, from the hourly rollups. */
export function aggregateWorkers(
  db: Database.Database,
  window: TimeWindow,
  grouping: AggregateGrouping = 'worker_model_prompt',
  options: { quantiles?: boolean } = {},
): WorkerAggregate[] {
  // SQLite sums the rows itself through the covering index (one row per rollup group comes back);
  // quantiles come from the sketches, merged per day once and cached (latencySketches.ts) instead of
  // decoding every hourly BLOB on each query.
  const withQuantiles = options.quantiles ?? true;
  // One row per rollup group and UTC day: summed here per group, and the whole days' latency totals
  // are the fingerprints of the day-sketch cache (one scan of the rollups serves both).
  const dayRows = db
    .prepare(
      `SELECT worker, model, prompt_version, CAST(bucket_start / ${DAY_MS} AS INTEGER) * ${DAY_MS} AS day,
              SUM(calls) AS calls, SUM(errors) AS errors, SUM(cancelled) AS cancelled,
              SUM(rate_limited) AS rate_limited, SUM(cache_hits) AS cache_hits, SUM(length_stops) AS length_stops,
              SUM(streamed_without_usage) AS streamed_without_usage, SUM(input_tokens) AS input_tokens,
              SUM(output_tokens) AS output_tokens, SUM(cached_tokens) AS cached_tokens, SUM(reasoning_tokens) AS reasoning_tokens,
              SUM(cost_usd) AS cost_usd, SUM(latency_sum) AS latency_sum, SUM(latency_count) AS latency_count,
              SUM(ttft_sum) AS ttft_sum, SUM(ttft_count) AS ttft_count, SUM(quality_sum) AS quality_sum,
              SUM(quality_count) AS quality_count, NULL AS latency_sketch
       FROM call_rollups WHERE bucket_start >= ? AND bucket_start < ?
       GROUP BY worker, model, prompt_version, day`,
    )
    .all(hourBucket(window.since), window.until) as Array<RollupRow & { day: number }>;
  const groupKey = (worker: string, model: string, promptVersion: string) =>
    `${worker}\u0000${grouping === 'worker' ? '*' : model}\u0000${grouping === 'worker_model_prompt' ? promptVersion : '*'}`;
  const quantiles = withQuantiles
    ? sketchQuantilesByGroup(
        db,
        window,
        groupKey,
        dayRows.map((r) => ({ worker: r.worker, model: r.model, promptVersion: r.prompt_version, day: r.day, n: r.latency_count, total: r.latency_sum })),
      )
    : null;
  const groups = new Map<string, { rows: RollupRow[]; worker: string; model: string; promptVersion: string }>();
  for (const row of dayRows) {
    const model = grouping === 'worker' ? '*' : row.model;
    const promptVersion = grouping === 'worker_model_prompt' ? row.prompt_version : '*';
    const key = groupKey(row.worker, row.model, row.prompt_version);
    let group = groups.get(key);
    if (!group) {
      group = { rows: [], worker: row.worker, model, promptVersion };
      groups.set(key, group);
    }
    group.rows.push(row);
  }
  const result: WorkerAggregate[] = [];
  for (const [key, group] of groups) {
    const aggregate = combine(group.worker, group.model, group.promptVersion, group.rows);
    const q = quantiles?.get(key);
    if (q && aggregate.latencyCount > 0) {
      aggregate.latencyP50Ms = q.p50;
      aggregate.latencyP95Ms = q.p95;
      aggregate.latencyP99Ms = q.p99;
    }
    result.push(aggregate);
  }
  result.sort((a, b) => a.worker.localeCompare(b.worker) || a.model.localeCompare(b.model) || a.promptVersion.localeCompare(b.promptVersion));
  return result;
}

function combine(worker: string, model: string, promptVersion: string, rows: RollupRow[]): WorkerAggregate {
  const sum = (pick: (r: RollupRow) => number) => rows.reduce((acc, r) => acc + pick(r), 0);
  const calls = sum((r) => r.calls);
  const errors = sum((r) => r.errors);
  const cancelled = sum((r) => r.cancelled);
  const latencyCount = sum((r) => r.latency_count);
  const ttftCount = sum((r) => r.ttft_count);
  const qualityCount = sum((r) => r.quality_count);
  const costUsd = sum((r) => r.cost_usd);
  return {
    worker,
    model,
    promptVersion,
    calls,
    errors,
    cancelled,
    successRate: calls > 0 ? (calls - errors - cancelled) / calls : 0,
    rateLimited: sum((r) => r.rate_limited),
    cacheHits: sum((r) => r.cache_hits),
    lengthStops: sum((r) => r.length_stops),
    streamedWithoutUsage: sum((r) => r.streamed_without_usage),
    inputTokens: sum((r) => r.input_tokens),
    outputTokens: sum((r) => r.output_tokens),
    cachedTokens: sum((r) => r.cached_tokens),
    reasoningTokens: sum((r) => r.reasoning_tokens),
    costUsd,
    costPerCall: calls > 0 ? costUsd / calls : 0,
    latencyMeanMs: latencyCount > 0 ? sum((r) => r.latency_sum) / latencyCount : null,
    latencyCount,
    // Filled from the sketches by the caller when quantiles are wanted.
    latencyP50Ms: null,
    latencyP95Ms: null,
    latencyP99Ms: null,
    ttftMeanMs: ttftCount > 0 ? sum((r) => r.ttft_sum) / ttftCount : null,
    quality: qualityCount > 0 ? sum((r) => r.quality_sum) / qualityCount : null,
    qualityCount,
  };
}

export interface SeriesPoint {
  bucketStart: number;
  calls: number;
  errors: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  latencyMeanMs: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  quality: number | null;
}

/**
 * A worker's (or every worker's) time series. Buckets of an hour or more come from the rollups;
 * finer buckets are computed from raw calls through the (worker, started_at) index.
 */
export function workerTimeSeries(
  db: Database.Database,
  options: TimeWindow & { worker?: string; bucketMs: number },
): SeriesPoint[] {
  const { bucketMs } = options;
  if (!(bucketMs > 0)) throw new RangeError('bucketMs must be positive');
  if (bucketMs >= HOUR_MS && bucketMs % HOUR_MS === 0) return seriesFromRollups(db, options);
  return seriesFromCalls(db, options);
}

function seriesFromRollups(db: Database.Database, options: TimeWindow & { worker?: string; bucketMs: number }): SeriesPoint[] {
  const rows = db
    .prepare(
      `SELECT bucket_start, calls, errors, cancelled, cost_usd, input_tokens, output_tokens, latency_sum, latency_count,
              quality_sum, quality_count, latency_sketch
       FROM call_rollups WHERE bucket_start >= ? AND bucket_start < ? ${options.worker !== undefined ? 'AND worker = ?' : ''}
       ORDER BY bucket_start`,
    )
    .all(...[hourBucket(options.since), options.until, ...(options.worker !== undefined ? [options.worker] : [])]) as Array<
    RollupRow & { bucket_start: number }
  >;
  const buckets = new Map<number, { point: SeriesPoint; latencySum: number; latencyCount: number; qualitySum: number; qualityCount: number; sketch: DDSketch | null }>();
  for (const row of rows) {
    const start = Math.floor(row.bucket_start / options.bucketMs) * options.bucketMs;
    let bucket = buckets.get(start);
    if (!bucket) {
      bucket = {
        point: emptyPoint(start),
        latencySum: 0,
        latencyCount: 0,
        qualitySum: 0,
        qualityCount: 0,
        sketch: null,
      };
      buckets.set(start, bucket);
    }
    bucket.point.calls += row.calls;
    bucket.point.errors += row.errors;
    bucket.point.costUsd += row.cost_usd;
    bucket.point.inputTokens += row.input_tokens;
    bucket.point.outputTokens += row.output_tokens;
    bucket.latencySum += row.latency_sum;
    bucket.latencyCount += row.latency_count;
    bucket.qualitySum += row.quality_sum;
    bucket.qualityCount += row.quality_count;
    if (row.latency_sketch) {
      const part = DDSketch.fromProto(row.latency_sketch);
      if (bucket.sketch) bucket.sketch.merge(part);
      else bucket.sketch = part;
    }
  }
  return [...buckets.values()]
    .sort((a, b) => a.point.bucketStart - b.point.bucketStart)
    .map((b) => ({
      ...b.point,
      latencyMeanMs: b.latencyCount > 0 ? b.latencySum / b.latencyCount : null,
      latencyP50Ms: b.sketch && b.latencyCount > 0 ? b.sketch.getValueAtQuantile(0.5) : null,
      latencyP95Ms: b.sketch && b.latencyCount > 0 ? b.sketch.getValueAtQuantile(0.95) : null,
      quality: b.qualityCount > 0 ? b.qualitySum / b.qualityCount : null,
    }));
}

function seriesFromCalls(db: Database.Database, options: TimeWindow & { worker?: string; bucketMs: number }): SeriesPoint[] {
  const rows = db
    .prepare(
      `SELECT started_at, status, cost_usd, input_tokens, output_tokens, latency_ms FROM calls
       WHERE ${options.worker !== undefined ? 'worker = ? AND ' : ''}started_at >= ? AND started_at < ?`,
    )
    .all(...[...(options.worker !== undefined ? [options.worker] : []), options.since, options.until]) as Array<{
    started_at: number;
    status: string;
    cost_usd: number | null;
    input_tokens: number | null;
    output_tokens: number | null;
    latency_ms: number | null;
  }>;
  const buckets = new Map<number, { point: SeriesPoint; latencies: number[] }>();
  for (const row of rows) {
    const start = Math.floor(row.started_at / options.bucketMs) * options.bucketMs;
    let bucket = buckets.get(start);
    if (!bucket) {
      bucket = { point: emptyPoint(start), latencies: [] };
      buckets.set(start, bucket);
    }
    bucket.point.calls++;
    if (row.status !== 'ok') bucket.point.errors++;
    bucket.point.costUsd += row.cost_usd ?? 0;
    bucket.point.inputTokens += row.input_tokens ?? 0;
    bucket.point.outputTokens += row.output_tokens ?? 0;
    if (row.latency_ms !== null) bucket.latencies.push(row.latency_ms);
  }
  return [...buckets.values()]
    .sort((a, b) => a.point.bucketStart - b.point.bucketStart)
    .map(({ point, latencies }) => {
      latencies.sort((a, b) => a - b);
      return {
        ...point,
        latencyMeanMs: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : null,
        latencyP50Ms: exactQuantile(latencies, 0.5),
        latencyP95Ms: exactQuantile(latencies, 0.95),
      };
    });
}

/** Lower-rank quantile of sorted values, the definition DDSketch uses, so small and large windows agree. */
function exactQuantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.floor(q * (sorted.length - 1))];
}

function emptyPoint(bucketStart: number): SeriesPoint {
  return {
    bucketStart,
    calls: 0,
    errors: 0,
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    latencyMeanMs: null,
    latencyP50Ms: null,
    latencyP95Ms: null,
    quality: null,
  };
}

export interface RecentCall {
  id: string;
  runId: string | null;
  worker: string | null;
  requestModel: string | null;
  responseModel: string | null;
  status: string;
  startedAt: number;
  latencyMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  finishReason: string | null;
  errorMessage: string | null;
  inputText: string | null;
  outputText: string | null;
}

/** A worker's most recent calls, newest first. */
export function recentCalls(db: Database.Database, worker: string, limit = 50): RecentCall[] {
  return db
    .prepare(
      `SELECT id, run_id AS runId, worker, request_model AS requestModel, response_model AS responseModel, status,
              started_at AS startedAt, latency_ms AS latencyMs, input_tokens AS inputTokens, output_tokens AS outputTokens,
              cost_usd AS costUsd, finish_reason AS finishReason, error_message AS errorMessage,
              input_text AS inputText, output_text AS outputText
       FROM calls WHERE worker = ? ORDER BY started_at DESC LIMIT ?`,
    )
    .all(worker, Math.max(1, Math.min(limit, 10_000))) as RecentCall[];
}

export interface RunSummary {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  errors: number;
}

/** Totals over one run's calls (the `flowtune run` summary line). */
export function runSummary(db: Database.Database, runId: string): RunSummary {
  const row = db
    .prepare(
      `SELECT COUNT(*) AS calls, COALESCE(SUM(input_tokens),0) AS inputTokens, COALESCE(SUM(output_tokens),0) AS outputTokens,
              COALESCE(SUM(cost_usd),0) AS costUsd, COALESCE(SUM(status <> 'ok'),0) AS errors
       FROM calls WHERE run_ref = (SELECT ref FROM runs WHERE id = ?)`,
    )
    .get(runId) as RunSummary;
  return row;
}
