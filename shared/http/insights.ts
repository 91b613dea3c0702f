// AI insights over HTTP: the request of `POST /v1/analyze/worker-performance`, the structured output
// the analysis model must produce (zod, sent as a strict JSON schema), and the answer the daemon gives:
// the model's (or the rule-based optimizers') recommendations with the measured statistics behind each.
import { z } from 'zod';

export const INSIGHT_CATEGORIES = ['speed', 'cost', 'quality'] as const;
/** Parameters a recommendation may change; model, max_tokens and temperature can be tested by experiment. */
export const INSIGHT_PARAMETERS = ['model', 'max_tokens', 'temperature', 'cache_ttl_seconds', 'prompt', 'concurrency', 'retries', 'timeout_ms', 'other'] as const;
export const INSIGHT_METRICS = ['latency_ms', 'cost_per_call', 'quality', 'success_rate'] as const;

export type InsightCategory = (typeof INSIGHT_CATEGORIES)[number];
export type InsightParameter = (typeof INSIGHT_PARAMETERS)[number];
export type InsightMetric = (typeof INSIGHT_METRICS)[number];

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const analyzeWorkerRequestSchema = z.strictObject({
  worker_name: z.string().min(1).max(200),
  /** Execution times in milliseconds; the store's latencies when absent. */
  execution_times: z.array(finite.nonnegative()).min(1).max(100_000).optional(),
  success_rate: finite.min(0).max(1).optional(),
  /** Average cost per call in USD. */
  avg_cost: finite.nonnegative().optional(),
  /** Quality scores in [0, 1]. */
  quality_scores: z.array(finite.min(0).max(1)).min(1).max(100_000).optional(),
});
export type AnalyzeWorkerRequest = z.infer<typeof analyzeWorkerRequestSchema>;

/**
 * What the analysis model answers. Strict structured outputs need every field required (nullable
 * instead of optional) and no open objects; string lengths are cut after parsing, not in the schema.
 */
export const modelRecommendationSchema = z.object({
  category: z.enum(INSIGHT_CATEGORIES),
  title: z.string(),
  parameter: z.enum(INSIGHT_PARAMETERS),
  /** The value now, as text (null when unknown). */
  current_value: z.string().nullable(),
  /** The value to try, as text: a model name, a number of tokens, a temperature… */
  new_value: z.string(),
  rationale: z.string(),
  expected_improvement: z.object({
    metric: z.enum(INSIGHT_METRICS),
    /** Relative change of the metric, e.g. -0.3 for 30% less cost or latency, 0.05 for 5% more quality. */
    relative_change: z.number().min(-1).max(10),
    description: z.string(),
  }),
  confidence: z.number().min(0).max(1),
});
export const modelInsightsSchema = z.object({
  summary: z.string(),
  recommendations: z.array(modelRecommendationSchema),
});
export type ModelRecommendation = z.infer<typeof modelRecommendationSchema>;
export type ModelInsights = z.infer<typeof modelInsightsSchema>;

const nullableNumber = z.number().nullable();

/** The numbers behind an analysis, computed by the daemon (or taken from the request, named in `provided`). */
export const workerStatisticsSchema = z.object({
  worker: z.string(),
  window: z.object({ since: z.number(), until: z.number() }),
  calls: z.number(),
  runs: z.number(),
  success_rate: nullableNumber,
  error_rate: nullableNumber,
  rate_limited_rate: nullableNumber,
  latency_ms: z.object({ mean: nullableNumber, p50: nullableNumber, p95: nullableNumber, p99: nullableNumber, samples: z.number() }),
  ttft_mean_ms: nullableNumber,
  cost: z.object({ total_usd: nullableNumber, per_call_usd: nullableNumber, per_run_usd: nullableNumber }),
  tokens: z.object({ input_per_call: nullableNumber, output_per_call: nullableNumber }),
  length_stop_rate: nullableNumber,
  quality: z.object({ mean: nullableNumber, count: z.number() }),
  cache_hit_rate: nullableNumber,
  duplicate_rate: nullableNumber,
  primary_model: z.string().nullable(),
  max_tokens: nullableNumber,
  temperature: nullableNumber,
  models: z.array(z.object({ model: z.string(), calls: z.number(), cost_per_call: z.number(), latency_mean_ms: nullableNumber, quality: nullableNumber })),
  /** Fields whose figures came from the request body rather than the store. */
  provided: z.array(z.string()),
});
export type WorkerStatistics = z.infer<typeof workerStatisticsSchema>;

export const hypothesisStates = ['pending', 'testing', 'shipped', 'rejected', 'open', 'superseded', 'not_testable'] as const;

export const insightRecommendationSchema = z.object({
  id: z.string(),
  category: z.enum(INSIGHT_CATEGORIES),
  title: z.string(),
  parameter: z.enum(INSIGHT_PARAMETERS),
  current_value: z.string().nullable(),
  new_value: z.string(),
  rationale: z.string(),
  expected_improvement: z.object({ metric: z.enum(INSIGHT_METRICS), relative_change: z.number(), description: z.string() }),
  confidence: z.number(),
  /** The measured statistics this recommendation rests on (the daemon's figures, never the model's). */
  evidence: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  /** How it enters the experiment pipeline: a stored hypothesis, or why it cannot be tested. */
  hypothesis: z.object({ id: z.string().nullable(), state: z.enum(hypothesisStates), note: z.string() }),
});
export type InsightRecommendation = z.infer<typeof insightRecommendationSchema>;

export const workerPerformanceAnalysisSchema = z.object({
  analysis_id: z.string().nullable(),
  worker: z.string(),
  /** `model` when the analysis model answered, `rules` when the rule-based optimizers did. */
  source: z.enum(['model', 'rules']),
  model: z.string().nullable(),
  generated_at: z.number(),
  summary: z.string(),
  statistics: workerStatisticsSchema,
  recommendations: z.array(insightRecommendationSchema),
  notes: z.array(z.string()),
  /** The analysis call itself, recorded like any other call (worker `flowtune-insights`). */
  insights_call: z.object({ call_id: z.string(), cost_usd: nullableNumber, input_tokens: nullableNumber, output_tokens: nullableNumber, latency_ms: z.number() }).nullable(),
});
export type WorkerPerformanceAnalysis = z.infer<typeof workerPerformanceAnalysisSchema>;

/** The worker name the analysis model's own calls are recorded under. */
export const INSIGHTS_WORKER = 'flowtune-insights';
/** The optimizer name hypotheses carry through the experiment pipeline. */
export const INSIGHTS_OPTIMIZER = 'ai-insights';
