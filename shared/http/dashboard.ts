// GET /v1/dashboard: everything the dashboard shows, aggregated by the daemon into one payload of
// bounded size (hourly series, capped lists) whatever the store holds — the webview never receives
// raw calls. Times are epoch milliseconds, costs USD, rates and quality in [0, 1].
// Namespace import (not `{ z }`) so the webview bundle tree-shakes zod to what these schemas use.
import * as z from 'zod';

/** Windows the dashboard offers (hours); the overview compares each with the window before it. */
export const DASHBOARD_WINDOWS_HOURS = [24, 168, 720] as const;
export const DEFAULT_DASHBOARD_WINDOW_HOURS = 24;

const num = z.number();
const maybe = z.number().nullable();

/** A figure now, over the window before (the baseline), and the relative change between them. */
export const periodFigureSchema = z.object({
  current: maybe,
  baseline: maybe,
  /** (current − baseline) / |baseline|; null when either is missing or the baseline is 0. */
  change: maybe,
});

export const dashboardOverviewSchema = z.object({
  calls: periodFigureSchema,
  costUsd: periodFigureSchema,
  latencyP95Ms: periodFigureSchema,
  quality: periodFigureSchema,
  errorRate: periodFigureSchema,
  savings: z.object({
    /** What cache hits would have cost as upstream calls (proxy_cache_hits), all time. */
    cacheUsd: num,
    cacheHits: num,
    /** Estimated from each applied optimization's measured (or expected) cost change since it was applied. */
    optimizationsUsd: num,
    appliedOptimizations: num,
    totalUsd: num,
  }),
});

export const seriesMarkerSchema = z.object({
  at: num,
  kind: z.enum(['anomaly', 'optimization', 'rollback']),
  severity: z.enum(['info', 'warning', 'error']).nullable(),
  label: z.string(),
});

/** One worker's series, column-wise (the layout uPlot draws from); every column has `at`'s length. */
export const workerSeriesSchema = z.object({
  worker: z.string(),
  at: z.array(num),
  calls: z.array(num),
  latencyP50Ms: z.array(maybe),
  latencyP95Ms: z.array(maybe),
  costUsd: z.array(num),
  quality: z.array(maybe),
  errorRate: z.array(maybe),
  markers: z.array(seriesMarkerSchema),
});

export const dashboardWorkerSchema = z.object({
  worker: z.string(),
  models: z.array(z.string()),
  calls: num,
  runs: num,
  errorRate: num,
  latencyP50Ms: maybe,
  latencyP95Ms: maybe,
  quantileMethod: z.enum(['exact', 'sketch']),
  costUsd: num,
  costPerCall: num,
  costPerRun: maybe,
  quality: maybe,
  qualityCount: num,
  cacheHitRate: num,
  /** Relative change of mean latency against the previous window (null when undefined). */
  latencyChange: maybe,
  costPerCallChange: maybe,
  openAnomalies: num,
});

export const dashboardAnomalySchema = z.object({
  id: z.string(),
  kind: z.string(),
  severity: z.enum(['info', 'warning', 'error']),
  state: z.string(),
  worker: z.string().nullable(),
  metric: z.string(),
  title: z.string(),
  beganAt: num,
  lastSeenAt: num,
  resolvedAt: maybe,
  baseline: maybe,
  current: maybe,
  suspectedCause: z.string().nullable(),
});

export const dashboardRecommendationSchema = z.object({
  id: z.string(),
  optimizer: z.string(),
  worker: z.string().nullable(),
  title: z.string(),
  state: z.string(),
  change: z.object({ kind: z.string(), from: z.string().nullable(), to: z.string() }),
  expectedGain: z.object({ metric: z.string(), relative: maybe, description: z.string() }),
  confidence: num,
  experimentId: z.string().nullable(),
  createdAt: num,
  updatedAt: num,
  /** What a human may still do with it (the daemon's rules: accept from open, rejected, dismissed or rolled back; dismiss while open or testing). */
  canApply: z.boolean(),
  canDismiss: z.boolean(),
});

export const experimentEffectSchema = z.object({
  metric: z.string(),
  role: z.string(),
  control: maybe,
  treatment: maybe,
  /** Relative effect (treatment − control)/|control|, with its confidence interval. */
  relative: maybe,
  ciLow: maybe,
  ciHigh: maybe,
  p: maybe,
});

export const dashboardExperimentSchema = z.object({
  id: z.string(),
  recommendationId: z.string().nullable(),
  kind: z.string(),
  worker: z.string().nullable(),
  state: z.string(),
  decision: z.string().nullable(),
  confidence: maybe,
  samples: maybe,
  spentUsd: num,
  startedAt: num,
  endedAt: maybe,
  effects: z.array(experimentEffectSchema),
});

export const dashboardDecisionSchema = z.object({
  id: num,
  at: num,
  actor: z.string(),
  action: z.string(),
  worker: z.string().nullable(),
  summary: z.string(),
  recommendationId: z.string().nullable(),
  experimentId: z.string().nullable(),
});

export const learningCurveSchema = z.object({
  /** Per optimization cycle when cycles were logged, otherwise per day. */
  basis: z.enum(['cycle', 'day']),
  points: z.array(z.object({ label: z.string(), at: num, quality: maybe, scored: num })),
});

const performanceSchema = z.object({
  avg_generation_time: num,
  quality_score: num,
  cost_per_content: num,
  success_rate: num,
});

export const dashboardReportSchema = z.discriminatedUnion('available', [
  z.object({
    available: z.literal(true),
    generatedAt: num,
    initial: performanceSchema,
    current: performanceSchema,
    improvements: z.array(z.object({ type: z.string(), impact: z.string(), learned_from: z.string() })),
    autonomousDecisions: num,
    humanInterventions: num,
    learningCycles: num,
    costSavings: z.string(),
  }),
  z.object({ available: z.literal(false), reason: z.string() }),
]);

export const dashboardSchema = z.object({
  generatedAt: num,
  /** Server time spent building the payload (ms). */
  computeMs: num,
  window: z.object({ hours: num, since: num, until: num, baselineSince: num, bucketMs: num }),
  overview: dashboardOverviewSchema,
  series: z.array(workerSeriesSchema),
  workers: z.array(dashboardWorkerSchema),
  anomalies: z.array(dashboardAnomalySchema),
  recommendations: z.array(dashboardRecommendationSchema),
  experiments: z.array(dashboardExperimentSchema),
  decisions: z.array(dashboardDecisionSchema),
  learningCurve: learningCurveSchema,
  report: dashboardReportSchema,
});

export type PeriodFigure = z.infer<typeof periodFigureSchema>;
export type DashboardOverview = z.infer<typeof dashboardOverviewSchema>;
export type SeriesMarker = z.infer<typeof seriesMarkerSchema>;
export type WorkerSeries = z.infer<typeof workerSeriesSchema>;
export type DashboardWorker = z.infer<typeof dashboardWorkerSchema>;
export type DashboardAnomaly = z.infer<typeof dashboardAnomalySchema>;
export type DashboardRecommendation = z.infer<typeof dashboardRecommendationSchema>;
export type ExperimentEffect = z.infer<typeof experimentEffectSchema>;
export type DashboardExperiment = z.infer<typeof dashboardExperimentSchema>;
export type DashboardDecision = z.infer<typeof dashboardDecisionSchema>;
export type LearningCurve = z.infer<typeof learningCurveSchema>;
export type DashboardReport = z.infer<typeof dashboardReportSchema>;
export type Dashboard = z.infer<typeof dashboardSchema>;
