// The numbers behind an analysis: the worker's metrics and measurements from the store, with any
// figures the request supplied put in their place (and named). Pure: the store reads happen before.
import type { WorkerMetrics } from '../../shared/domain';
import type { AnalyzeWorkerRequest, InsightCategory, WorkerStatistics } from '../../shared/http/insights';
import type { WorkerMeasurements } from '../optimize/optimizer';

export interface StatisticsInputs {
  worker: string;
  window: { since: number; until: number };
  /** The worker's metrics over the window (grouped by worker), or null when it has no calls there. */
  metrics: WorkerMetrics | null;
  measurements: WorkerMeasurements | null;
  provided: Omit<AnalyzeWorkerRequest, 'worker_name'>;
}

/** Nearest-rank quantile of ascending values. */
export function nearestRank(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}

export function workerStatistics(inputs: StatisticsInputs): WorkerStatistics {
  const { metrics: m, measurements: w, provided } = inputs;
  const calls = m?.calls ?? w?.calls ?? 0;
  const stats: WorkerStatistics = {
    worker: inputs.worker,
    window: inputs.window,
    calls,
    runs: m?.runs ?? w?.runs ?? 0,
    success_rate: m ? m.successRate : null,
    error_rate: m ? m.errorRate : null,
    rate_limited_rate: m ? m.rateLimitedRate : null,
    latency_ms: { mean: w?.latencyMeanMs ?? null, p50: m?.latencyP50Ms ?? null, p95: m?.latencyP95Ms ?? null, p99: m?.latencyP99Ms ?? null, samples: calls },
    ttft_mean_ms: m?.ttftMeanMs ?? null,
    cost: { total_usd: m?.costUsd ?? null, per_call_usd: m?.costPerCall ?? null, per_run_usd: m?.costPerRun ?? null },
    tokens: { input_per_call: m?.inputTokensPerCall ?? null, output_per_call: m?.outputTokensPerCall ?? null },
    length_stop_rate: m?.lengthStopRate ?? null,
    quality: { mean: m?.quality ?? null, count: m?.qualityCount ?? 0 },
    cache_hit_rate: m?.cacheHitRate ?? null,
    duplicate_rate: m?.duplicateRate ?? null,
    primary_model: w?.primaryModel ?? null,
    max_tokens: w?.maxTokens ?? null,
    temperature: w?.temperature ?? null,
    models: (w?.models ?? []).map((u) => ({ model: u.model, calls: u.calls, cost_per_call: u.costPerCall, latency_mean_ms: u.latencyMeanMs, quality: u.quality })),
    provided: [],
  };
  if (provided.execution_times) {
    const sorted = [...provided.execution_times].sort((a, b) => a - b);
    stats.latency_ms = { mean: mean(sorted), p50: nearestRank(sorted, 0.5), p95: nearestRank(sorted, 0.95), p99: nearestRank(sorted, 0.99), samples: sorted.length };
    stats.provided.push('execution_times');
  }
  if (provided.success_rate !== undefined) {
    stats.success_rate = provided.success_rate;
    stats.error_rate = 1 - provided.success_rate;
    stats.provided.push('success_rate');
  }
  if (provided.avg_cost !== undefined) {
    stats.cost = { ...stats.cost, per_call_usd: provided.avg_cost };
    stats.provided.push('avg_cost');
  }
  if (provided.quality_scores) {
    stats.quality = { mean: mean(provided.quality_scores), count: provided.quality_scores.length };
    stats.provided.push('quality_scores');
  }
  return stats;
}

/** True when there is something to analyse: recorded calls or figures in the request. */
export function hasFigures(stats: WorkerStatistics): boolean {
  return stats.calls > 0 || stats.provided.length > 0;
}

/** The measured statistics a recommendation of a category rests on, flat, for the evidence list. */
export function evidenceFor(category: InsightCategory, stats: WorkerStatistics): Record<string, number | string | null> {
  const common = { calls: stats.calls, primary_model: stats.primary_model };
  if (category === 'speed') {
    return {
      ...common,
      latency_mean_ms: stats.latency_ms.mean,
      latency_p50_ms: stats.latency_ms.p50,
      latency_p95_ms: stats.latency_ms.p95,
      latency_p99_ms: stats.latency_ms.p99,
      ttft_mean_ms: stats.ttft_mean_ms,
      output_tokens_per_call: stats.tokens.output_per_call,
      max_tokens: stats.max_tokens,
    };
  }
  if (category === 'cost') {
    return {
      ...common,
      cost_per_call_usd: stats.cost.per_call_usd,
      cost_per_run_usd: stats.cost.per_run_usd,
      cost_total_usd: stats.cost.total_usd,
      input_tokens_per_call: stats.tokens.input_per_call,
      output_tokens_per_call: stats.tokens.output_per_call,
      duplicate_rate: stats.duplicate_rate,
      cache_hit_rate: stats.cache_hit_rate,
    };
  }
  return {
    ...common,
    quality_mean: stats.quality.mean,
    quality_count: stats.quality.count,
    success_rate: stats.success_rate,
    error_rate: stats.error_rate,
    rate_limited_rate: stats.rate_limited_rate,
    length_stop_rate: stats.length_stop_rate,
    temperature: stats.temperature,
  };
}
