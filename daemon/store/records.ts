// The rows Flowtune keeps, as every ingestion door (OTLP, proxy, native API) hands them to the store.
// Times are Unix epoch milliseconds (fractions allowed); durations are milliseconds.

/** How prompt and output text is kept: in full (needed for replay experiments), as a SHA-256 hash, or not at all. */
export type ContentMode = 'full' | 'hash' | 'none';

/** Which door a record came through. */
export type RecordSource = 'otlp' | 'proxy' | 'native' | 'cli';

/** Outcome of a run or step: `unset` when the producer did not say. */
export type SpanStatus = 'ok' | 'error' | 'unset';

/** Outcome of one model call. */
export type CallStatus = 'ok' | 'error' | 'cancelled';

/** Where a call's cost figure came from. */
export type CostSource = 'span' | 'price_table' | 'client' | 'cache_hit' | 'unknown';

/** One execution of the user's pipeline. */
export interface RunRecord {
  id: string;
  name?: string | null;
  source: RecordSource;
  startedAt: number;
  endedAt?: number | null;
  status: SpanStatus;
  exitCode?: number | null;
  command?: string | null;
  serviceName?: string | null;
  attributes?: Record<string, unknown> | null;
}

/** A worker's execution inside a run; steps nest through parentStepId. */
export interface StepRecord {
  id: string;
  runId: string;
  parentStepId?: string | null;
  worker: string;
  kind: string;
  startedAt: number;
  endedAt?: number | null;
  status: SpanStatus;
  errorMessage?: string | null;
  attributes?: Record<string, unknown> | null;
}

/** One model call. */
export interface CallRecord {
  id: string;
  runId?: string | null;
  stepId?: string | null;
  /** The worker (pipeline step name) the call belongs to; `null` when unknown. */
  worker?: string | null;
  source: RecordSource;
  provider?: string | null;
  /** chat, text_completion, embeddings, responses, … */
  operation: string;
  requestModel?: string | null;
  responseModel?: string | null;
  temperature?: number | null;
  maxTokens?: number | null;
  topP?: number | null;
  stream?: boolean | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
  cachedTokens?: number | null;
  reasoningTokens?: number | null;
  costUsd?: number | null;
  costSource?: CostSource | null;
  startedAt: number;
  latencyMs?: number | null;
  ttftMs?: number | null;
  finishReason?: string | null;
  status: CallStatus;
  httpStatus?: number | null;
  errorType?: string | null;
  errorMessage?: string | null;
  promptId?: string | null;
  promptVersion?: string | null;
  /** Hash of the prompt template (system prompt / template text with variable parts masked). */
  promptFingerprint?: string | null;
  sourceFile?: string | null;
  sourceLine?: number | null;
  inputText?: string | null;
  outputText?: string | null;
  cacheHit?: boolean | null;
  variant?: string | null;
  retryCount?: number | null;
  traceId?: string | null;
  spanId?: string | null;
  /**
   * The provider's response id (chatcmpl-…, resp_…). A call the proxy recorded and an
   * instrumentation exported with the same id is one call: the store keeps one row.
   */
  responseId?: string | null;
  /**
   * The call's parent span has not arrived yet (exporters send children first): its worker is
   * unknown for now, so the store holds it out of the rollups until the parent links it.
   */
  awaitingParent?: boolean;
}

/** Where a quality score came from. */
export type ScoreSource = 'evaluator' | 'app' | 'user' | 'otel_evaluation';

/** A quality score or piece of feedback on a call (or a whole run), normalised to 0..1 in `value`. */
export interface ScoreRecord {
  callId?: string | null;
  runId?: string | null;
  name: string;
  /** Normalised to 0..1; null when the score is only a label or comment. */
  value?: number | null;
  rawValue?: number | null;
  label?: string | null;
  comment?: string | null;
  source: ScoreSource;
  createdAt: number;
}

/** Everything one ingestion request carries; the store writes it in one transaction. */
export interface IngestBatch {
  runs: RunRecord[];
  steps: StepRecord[];
  calls: CallRecord[];
  scores: ScoreRecord[];
}

export function emptyBatch(): IngestBatch {
  return { runs: [], steps: [], calls: [], scores: [] };
}
