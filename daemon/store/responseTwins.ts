// One call seen twice: through the recording proxy and through an instrumentation of the same
// client (the editor's terminals set both OPENAI_BASE_URL and OTEL_EXPORTER_OTLP_ENDPOINT). The
// provider's response id (chatcmpl-…, resp_…) names the exchange on both sides, so the store keeps
// one row: the proxy's, whose id the client received in x-flowtune-call-id. What the proxy measured
// wins (tokens the upstream reported — an instrumentation may estimate them —, cost, latency, cache,
// variant, retries; an x-flowtune-worker header); the instrumentation adds where the call sits in
// the application (trace, span, step, run when the proxy had none, the worker when the proxy had none).
// Embeddings answers carry no id: there, a pair is the one call of the other side with the same
// operation, model and input tokens whose proxied exchange lies within the instrumentation's span.
import type Database from 'better-sqlite3';
import type { CallRecord } from './records';

/** The stored half of a pair, as the merge needs it. */
export interface StoredTwin {
  id: string;
  source: string;
  worker: string | null;
  runId: string | null;
  stepId: string | null;
  traceId: string | null;
  spanId: string | null;
  sourceFile: string | null;
  sourceLine: number | null;
  promptId: string | null;
  promptVersion: string | null;
  rollupPending: number;
}

/** Where a merged-away call id now lives; `keepWorker`: the proxy's header named the worker, links must not rename it. */
export interface CallAlias {
  id: string;
  keepWorker: boolean;
}

const ALIAS_CAPACITY = 50_000;
/** Span times come from the client's clock, the proxy's from the daemon's (same machine): the slack allowed. */
const CLOCK_SLACK_MS = 50;
/** How long an instrumented span may last around a proxied exchange, at most (bounds the index range). */
const LONGEST_CALL_MS = 600_000;
/**
 * The two reports of one call arrive seconds apart: a call looks for its twin only when the other
 * side wrote within this window (a daemon fed by OTLP alone pays no lookup per call).
 */
const PAIRING_WINDOW_MS = 600_000;

export class ResponseTwins {
  private readonly findProxyTwin: Database.Statement;
  private readonly findInstrumentedTwin: Database.Statement;
  private readonly findProxyWithin: Database.Statement;
  private readonly findInstrumentedAround: Database.Statement;
  private readonly aliases = new Map<string, CallAlias>();
  /** Wall-clock time of the last proxy / instrumented call written (or seen in the store at start). */
  private lastProxyAt: number;
  private lastInstrumentedAt: number;

  constructor(db: Database.Database) {
    const columns = `id, source, worker, run_id AS runId, step_id AS stepId, trace_id AS traceId, span_id AS spanId,
      source_file AS sourceFile, source_line AS sourceLine, prompt_id AS promptId, prompt_version AS promptVersion,
      rollup_pending AS rollupPending`;
    // A proxy row not merged yet (no span); the nearest in time, since a cache hit replays an id.
    this.findProxyTwin = db.prepare(
      `SELECT ${columns} FROM calls WHERE response_id = ? AND source = 'proxy' AND span_id IS NULL ORDER BY ABS(started_at - ?) LIMIT 1`,
    );
    this.findInstrumentedTwin = db.prepare(
      `SELECT ${columns} FROM calls WHERE response_id = ? AND source != 'proxy' ORDER BY ABS(started_at - ?) LIMIT 1`,
    );
    const latest = (where: string) => (db.prepare(`SELECT MAX(started_at) FROM calls WHERE ${where} AND started_at > ?`).pluck().get(Date.now() - PAIRING_WINDOW_MS) as number | null) ?? -Infinity;
    this.lastProxyAt = latest(`source = 'proxy'`);
    this.lastInstrumentedAt = latest(`source != 'proxy'`);
    const sameCall = `response_id IS NULL AND operation = @operation AND request_model = @model AND input_tokens = @inputTokens`;
    this.findProxyWithin = db.prepare(
      `SELECT ${columns} FROM calls WHERE started_at BETWEEN @start - ${CLOCK_SLACK_MS} AND @end + ${CLOCK_SLACK_MS}
         AND started_at + COALESCE(latency_ms, 0) <= @end + ${CLOCK_SLACK_MS}
         AND source = 'proxy' AND span_id IS NULL AND ${sameCall} LIMIT 2`,
    );
    this.findInstrumentedAround = db.prepare(
      `SELECT ${columns} FROM calls WHERE started_at BETWEEN @start - ${LONGEST_CALL_MS} AND @start + ${CLOCK_SLACK_MS}
         AND started_at + COALESCE(latency_ms, 0) >= @end - ${CLOCK_SLACK_MS}
         AND source != 'proxy' AND ${sameCall} LIMIT 2`,
    );
  }

  /** The stored call from the other side with the same response id, if any. */
  find(call: CallRecord): StoredTwin | undefined {
    const now = Date.now();
    const otherSideAt = call.source === 'proxy' ? this.lastInstrumentedAt : this.lastProxyAt;
    if (call.source === 'proxy') this.lastProxyAt = now;
    else this.lastInstrumentedAt = now;
    if (now - otherSideAt > PAIRING_WINDOW_MS) return undefined;
    if (call.responseId) {
      const statement = call.source === 'proxy' ? this.findInstrumentedTwin : this.findProxyTwin;
      return statement.get(call.responseId, call.startedAt) as StoredTwin | undefined;
    }
    if (call.inputTokens == null || call.requestModel == null || call.latencyMs == null) return undefined;
    const statement = call.source === 'proxy' ? this.findInstrumentedAround : this.findProxyWithin;
    const found = statement.all({ start: call.startedAt, end: call.startedAt + call.latencyMs, operation: call.operation, model: call.requestModel, inputTokens: call.inputTokens }) as StoredTwin[];
    return found.length === 1 ? found[0] : undefined; // two alike at once: keep both rather than guess
  }

  alias(fromId: string, to: CallAlias): void {
    if (this.aliases.size >= ALIAS_CAPACITY) this.aliases.delete(this.aliases.keys().next().value as string);
    this.aliases.set(fromId, to);
  }

  /** Where a call id (an instrumentation's, merged into a proxy row) is stored now. Remembered for this process only. */
  resolve(callId: string): CallAlias | undefined {
    return this.aliases.get(callId);
  }
}

/**
 * The proxy's record of the call, completed by the instrumentation's view of it (a stored OTLP
 * row). Held out of the rollups while the instrumentation's worker is still unsettled and the
 * proxy named none.
 */
export function proxyCallWithInstrumentedTwin(proxy: CallRecord, twin: StoredTwin): CallRecord {
  return {
    ...proxy,
    runId: proxy.runId ?? twin.runId,
    stepId: twin.stepId,
    worker: proxy.worker ?? twin.worker,
    traceId: twin.traceId,
    spanId: twin.spanId,
    sourceFile: proxy.sourceFile ?? twin.sourceFile,
    sourceLine: proxy.sourceLine ?? twin.sourceLine,
    promptId: proxy.promptId ?? twin.promptId,
    promptVersion: proxy.promptVersion ?? twin.promptVersion,
    awaitingParent: proxy.worker == null && twin.rollupPending === 1,
  };
}
