// Domain objects the daemon serves to the editor and the dashboard (HTTP and LSP), in one place.

export type Severity = 'info' | 'warning' | 'error';

/** What the detectors in daemon/analysis/anomalyDetectors.ts report; `metric` says on which series. */
export type AnomalyKind =
  | 'point_spike'
  | 'sustained_shift'
  | 'error_rate_spike'
  | 'quality_drop'
  | 'cost_per_output_token'
  | 'rate_limiting'
  | 'missing_telemetry';

export type AnomalyState = 'open' | 'resolved';

export interface Anomaly {
  id: string;
  kind: AnomalyKind;
  severity: Severity;
  state: AnomalyState;
  /** e.g. `worker=outline|model=gpt-4o-mini|prompt=v1|metric=latency_ms` */
  series: string;
  /** latency_ms, cost_usd, output_tokens, errors, 429 rate, quality, … */
  metric: string;
  worker: string | null;
  model: string | null;
  promptVersion: string | null;
  beganAt: number;
  lastSeenAt: number;
  resolvedAt: number | null;
  baseline: number | null;
  current: number | null;
  score: number | null;
  /** One line a user understands: "outline p95 latency 2.4× its baseline". */
  title: string;
  evidence: Record<string, unknown>;
  suspectedCause: string | null;
}

export type RecommendationState = 'open' | 'testing' | 'applied' | 'accepted' | 'dismissed' | 'rejected' | 'rolled_back';

/** The change an optimizer proposes; `kind` says how it applies (proxy override or code edit). */
export interface ProposedChange {
  kind: 'model' | 'max_tokens' | 'temperature' | 'cache' | 'prompt' | 'parallelize' | 'retry' | 'timeout' | 'concurrency';
  from?: unknown;
  to: unknown;
  /** Free-form details (prompt variant id, steps to parallelise, …). */
  details?: Record<string, unknown>;
}

/** A text edit the editor can apply as a code action (workspace-relative path, 0-based positions). */
export interface SuggestedEdit {
  file: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  newText: string;
}

export interface Recommendation {
  id: string;
  optimizer: string;
  worker: string | null;
  title: string;
  state: RecommendationState;
  change: ProposedChange;
  evidence: Record<string, unknown>;
  expectedGain: { metric: string; relative: number; description: string };
  confidence: number;
  edit: SuggestedEdit | null;
  experimentId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface DecisionLogEntry {
  id: number;
  at: number;
  actor: 'flowtune' | 'human';
  action: string;
  recommendationId: string | null;
  experimentId: string | null;
  worker: string | null;
  summary: string;
  evidence: Record<string, unknown>;
}

/** A trend: OLS slope per hour with its confidence interval, and the change against the previous period. */
export interface MetricTrend {
  slopePerHour: number | null;
  slopeLow: number | null;
  slopeHigh: number | null;
  /** (current − previous) / previous, with its 95% interval; null when undefined. */
  changeVsPrevious: number | null;
  changeLow: number | null;
  changeHigh: number | null;
  /** Two-sided p-value of the change. */
  changeP: number | null;
}

/** Everything measured about one worker × model × prompt version over a window. */
export interface WorkerMetrics {
  worker: string;
  model: string;
  promptVersion: string;
  since: number;
  until: number;
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  runs: number;
  successRate: number;
  errorRate: number;
  rateLimitedRate: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  /** `exact` when computed from every call of the window, `sketch` when merged from hourly DDSketches. */
  quantileMethod: 'exact' | 'sketch';
  ttftMeanMs: number | null;
  inputTokensPerCall: number;
  outputTokensPerCall: number;
  costUsd: number;
  costPerCall: number;
  costPerRun: number | null;
  quality: number | null;
  qualityCount: number;
  cacheHitRate: number;
  duplicateRate: number | null;
  lengthStopRate: number;
  trends: { latencyMs: MetricTrend; costPerCall: MetricTrend; errorRate: MetricTrend; quality: MetricTrend };
}
