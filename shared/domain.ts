// Domain objects the daemon serves to the editor and the dashboard (HTTP and LSP), in one place.

export type Severity = 'info' | 'warning' | 'error';

export type AnomalyKind =
  | 'latency_spike'
  | 'latency_shift'
  | 'cost_spike'
  | 'cost_per_token'
  | 'token_shift'
  | 'error_rate'
  | 'quality_drop'
  | 'rate_limited'
  | 'missing_usage';

export type AnomalyState = 'open' | 'resolved';

export interface Anomaly {
  id: string;
  kind: AnomalyKind;
  severity: Severity;
  state: AnomalyState;
  /** e.g. `latency_ms|outline|gpt-4o-mini|v1` */
  series: string;
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
