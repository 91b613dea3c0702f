// Writes one ingestion batch (runs, steps, calls, scores) in a single transaction and keeps the
// hourly rollups in step with it. Calls are idempotent by id: a batch re-sent by a retrying exporter
// is stored once and counted once.
import type Database from 'better-sqlite3';
import { redactAttributes, redactSecrets } from '../../shared/redact';
import { applyContentMode } from './contentPolicy';
import type { CallRecord, ContentMode, CostSource, IngestBatch, RunRecord, ScoreRecord, StepRecord } from './records';
import { SketchCache, encodeSketch } from './latencySketch';
import { HOUR_MS, UNKNOWN_DIMENSION, rollupDimensions, rollupKeyString, type RollupDimensions } from './rollupKey';
import { ResponseTwins, proxyCallWithInstrumentedTwin, type StoredTwin } from './responseTwins';

export interface CostEstimate {
  costUsd: number;
  source: CostSource;
}

export interface BatchWriterOptions {
  contentMode: ContentMode;
  /** Prices a call that carries no cost of its own; null when the model is unknown. */
  costFor?: (call: CallRecord) => CostEstimate | null;
}

/**
 * Late-arriving parents: a call or step stored earlier learns its step and worker from a later batch.
 * A call's `worker` replaces the stored one (the mapper only sends a stronger one, see
 * ingest/genai/workerAttribution.ts); `final` lets a call held out of the rollups join them.
 */
export interface BatchLinks {
  calls: Array<{ callId: string; stepId: string | null; worker: string | null; final: boolean }>;
  steps: Array<{ stepId: string; parentStepId: string }>;
}

export interface LinkedBatch {
  batch: IngestBatch;
  links?: BatchLinks;
}

export interface WriteResult {
  runs: number;
  steps: number;
  calls: number;
  duplicateCalls: number;
  scores: number;
}

interface RollupDelta {
  dims: RollupDimensions;
  calls: number;
  errors: number;
  cancelled: number;
  rateLimited: number;
  cacheHits: number;
  lengthStops: number;
  streamedWithoutUsage: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costUsd: number;
  latencies: number[];
  ttftSum: number;
  ttftCount: number;
  qualitySum: number;
  qualityCount: number;
}

export class BatchWriter {
  private readonly insertRunStub: Database.Statement;
  private readonly runRef: Database.Statement;
  private readonly upsertRun: Database.Statement;
  private readonly upsertStep: Database.Statement;
  private readonly insertCall: Database.Statement;
  private readonly insertScore: Database.Statement;
  private readonly callForScore: Database.Statement;
  private readonly readRollupSketch: Database.Statement;
  private readonly upsertRollup: Database.Statement;
  private readonly linkCall: Database.Statement;
  private readonly linkStep: Database.Statement;
  private readonly deleteRollup: Database.Statement;
  private readonly callsInRollup: Database.Statement;
  private readonly qualityInRollup: Database.Statement;
  private readonly callsInUnknownRollup: Database.Statement;
  private readonly qualityInUnknownRollup: Database.Statement;
  private readonly callForRollup: Database.Statement;
  private readonly callQuality: Database.Statement;
  private readonly clearPending: Database.Statement;
  private readonly pendingCalls: Database.Statement;
  private readonly mergeIntoProxyRow: Database.Statement;
  private readonly deleteCall: Database.Statement;
  private readonly moveScores: Database.Statement;
  /** A call seen by the proxy and by an instrumentation: one row (see responseTwins.ts). */
  private readonly twins: ResponseTwins;
  private readonly writeTransaction: (batch: IngestBatch, links: BatchLinks | undefined) => WriteResult;
  private readonly writeManyTransaction: (items: readonly LinkedBatch[]) => WriteResult[];
  /** Decoded latency sketches of recently written rollup rows (checked against the stored bytes on use). */
  private readonly sketches = new SketchCache();

  constructor(
    private readonly db: Database.Database,
    private readonly options: BatchWriterOptions,
  ) {
    this.insertRunStub = db.prepare(
      `INSERT OR IGNORE INTO runs (id, source, started_at, status) VALUES (?, ?, ?, 'unset')`,
    );
    this.runRef = db.prepare(`SELECT ref FROM runs WHERE id = ?`).pluck();
    this.upsertRun = db.prepare(`
      INSERT INTO runs (id, name, source, started_at, ended_at, status, exit_code, command, service_name, attributes)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET
        name = COALESCE(excluded.name, runs.name),
        started_at = MIN(runs.started_at, excluded.started_at),
        ended_at = CASE WHEN runs.ended_at IS NULL THEN excluded.ended_at
                        WHEN excluded.ended_at IS NULL THEN runs.ended_at
                        ELSE MAX(runs.ended_at, excluded.ended_at) END,
        status = CASE WHEN excluded.status = 'error' OR runs.status = 'error' THEN 'error'
                      WHEN excluded.status = 'ok' THEN 'ok' ELSE runs.status END,
        exit_code = COALESCE(excluded.exit_code, runs.exit_code),
        command = COALESCE(excluded.command, runs.command),
        service_name = COALESCE(excluded.service_name, runs.service_name),
        attributes = COALESCE(excluded.attributes, runs.attributes)`);
    this.upsertStep = db.prepare(`
      INSERT INTO steps (id, run_ref, run_id, parent_step_id, worker, kind, started_at, ended_at, status, error_message, attributes)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET
        ended_at = COALESCE(excluded.ended_at, steps.ended_at),
        status = excluded.status,
        error_message = COALESCE(excluded.error_message, steps.error_message)`);
    this.insertCall = db.prepare(`
      INSERT INTO calls (
        id, run_ref, run_id, step_id, worker, source, provider, operation, request_model, response_model,
        temperature, max_tokens, top_p, stream, input_tokens, output_tokens, cached_tokens, reasoning_tokens,
        cost_usd, cost_source, started_at, latency_ms, ttft_ms, finish_reason, status, http_status,
        error_type, error_message, prompt_id, prompt_version, prompt_fingerprint, source_file, source_line,
        input_text, output_text, content_mode, cache_hit, variant, retry_count, trace_id, span_id, rollup_pending, response_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(id) DO NOTHING`); // only a duplicate id is skipped; any other violation fails the batch
    this.insertScore = db.prepare(`
      INSERT INTO scores (call_id, run_id, worker, name, value, raw_value, label, comment, source, created_at)
      VALUES (@callId, @runId, @worker, @name, @value, @rawValue, @label, @comment, @source, @createdAt)`);
    this.callForScore = db.prepare(
      `SELECT worker, run_id AS runId, request_model AS requestModel, response_model AS responseModel,
              prompt_version AS promptVersion, prompt_fingerprint AS promptFingerprint, started_at AS startedAt,
              rollup_pending AS rollupPending
       FROM calls WHERE id = ?`,
    );
    this.readRollupSketch = db.prepare(
      `SELECT latency_sketch FROM call_rollups WHERE worker = ? AND model = ? AND prompt_version = ? AND bucket_start = ?`,
    );
    this.upsertRollup = db.prepare(`
      INSERT INTO call_rollups (worker, model, prompt_version, bucket_start, calls, errors, cancelled, rate_limited,
        cache_hits, length_stops, streamed_without_usage, input_tokens, output_tokens, cached_tokens, reasoning_tokens,
        cost_usd, latency_sum, latency_count, ttft_sum, ttft_count, quality_sum, quality_count, latency_sketch)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(worker, model, prompt_version, bucket_start) DO UPDATE SET
        calls = calls + excluded.calls, errors = errors + excluded.errors, cancelled = cancelled + excluded.cancelled,
        rate_limited = rate_limited + excluded.rate_limited, cache_hits = cache_hits + excluded.cache_hits,
        length_stops = length_stops + excluded.length_stops,
        streamed_without_usage = streamed_without_usage + excluded.streamed_without_usage,
        input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
        cached_tokens = cached_tokens + excluded.cached_tokens, reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
        cost_usd = cost_usd + excluded.cost_usd, latency_sum = latency_sum + excluded.latency_sum,
        latency_count = latency_count + excluded.latency_count, ttft_sum = ttft_sum + excluded.ttft_sum,
        ttft_count = ttft_count + excluded.ttft_count, quality_sum = quality_sum + excluded.quality_sum,
        quality_count = quality_count + excluded.quality_count,
        latency_sketch = COALESCE(excluded.latency_sketch, latency_sketch)`);
    this.linkCall = db.prepare(`UPDATE calls SET step_id = COALESCE(?, step_id), worker = COALESCE(?, worker) WHERE id = ?`);
    this.linkStep = db.prepare(`UPDATE steps SET parent_step_id = ? WHERE id = ? AND parent_step_id IS NOT ?`);
    this.deleteRollup = db.prepare(
      `DELETE FROM call_rollups WHERE worker = ? AND model = ? AND prompt_version = ? AND bucket_start = ?`,
    );
    // The same dimension rules as rollupDimensions(), in SQL, to rebuild one rollup row from raw calls.
    // The worker is matched with plain equality or IS NULL so the (worker, started_at) index serves it.
    const otherDimensions = `COALESCE(NULLIF(request_model, ''), NULLIF(response_model, ''), '${UNKNOWN_DIMENSION}') = @model
        AND COALESCE(NULLIF(prompt_version, ''), 'fp:' || substr(prompt_fingerprint, 1, 12), '${UNKNOWN_DIMENSION}') = @promptVersion
        AND started_at >= @bucketStart AND started_at < @bucketEnd AND rollup_pending = 0`;
    const callColumns = `id, worker, request_model AS requestModel, response_model AS responseModel, prompt_version AS promptVersion,
              prompt_fingerprint AS promptFingerprint, started_at AS startedAt, status, http_status AS httpStatus,
              cache_hit AS cacheHit, finish_reason AS finishReason, stream, input_tokens AS inputTokens,
              output_tokens AS outputTokens, cached_tokens AS cachedTokens, reasoning_tokens AS reasoningTokens,
              cost_usd AS costUsd, latency_ms AS latencyMs, ttft_ms AS ttftMs`;
    const known = `worker = @worker AND ${otherDimensions}`;
    const unknown = `worker IS NULL AND ${otherDimensions}`;
    this.callsInRollup = db.prepare(`SELECT ${callColumns} FROM calls WHERE ${known}`);
    this.callsInUnknownRollup = db.prepare(`SELECT ${callColumns} FROM calls WHERE ${unknown}`);
    const qualityOf = (filter: string) =>
      db.prepare(
        `SELECT COALESCE(SUM(s.value), 0) AS qualitySum, COUNT(s.value) AS qualityCount
         FROM scores s WHERE s.value IS NOT NULL AND s.call_id IN (SELECT id FROM calls WHERE ${filter})`,
      );
    this.qualityInRollup = qualityOf(known);
    this.qualityInUnknownRollup = qualityOf(unknown);
    this.callForRollup = db.prepare(`SELECT ${callColumns}, rollup_pending AS rollupPending FROM calls WHERE id = ?`);
    this.callQuality = db.prepare(
      `SELECT COALESCE(SUM(value), 0) AS qualitySum, COUNT(value) AS qualityCount FROM scores WHERE call_id = ? AND value IS NOT NULL`,
    );
    this.clearPending = db.prepare(`UPDATE calls SET rollup_pending = 0 WHERE id = ?`);
    this.pendingCalls = db.prepare(`SELECT ${callColumns} FROM calls WHERE rollup_pending = 1 AND started_at < ?`);
    this.mergeIntoProxyRow = db.prepare(`
      UPDATE calls SET step_id = ?, trace_id = ?, span_id = ?, run_id = COALESCE(run_id, ?), run_ref = COALESCE(run_ref, ?),
        worker = COALESCE(worker, ?), source_file = COALESCE(source_file, ?), source_line = COALESCE(source_line, ?),
        prompt_id = COALESCE(prompt_id, ?)
      WHERE id = ?`);
    this.deleteCall = db.prepare(`DELETE FROM calls WHERE id = ?`);
    this.moveScores = db.prepare(`UPDATE scores SET call_id = ? WHERE call_id = ?`);
    this.twins = new ResponseTwins(db);
    this.writeTransaction = db.transaction((batch: IngestBatch, links: BatchLinks | undefined) => {
      const result = this.writeAll(batch);
      if (links) this.applyLinks(links);
      return result;
    });
    this.writeManyTransaction = db.transaction((items: readonly LinkedBatch[]) =>
      items.map((item) => {
        const result = this.writeAll(item.batch);
        if (item.links) this.applyLinks(item.links);
        return result;
      }),
    );
  }

  /** Writes the batch (and links to earlier rows) atomically: either every row is stored or none is. */
  write(batch: IngestBatch, links?: BatchLinks): WriteResult {
    return this.writeTransaction(batch, links);
  }

  /**
   * Writes several batches, in order, in one transaction (one commit for all): either all are stored
   * or none is. Each gets its own result. Later batches may link to rows of earlier ones.
   */
  writeMany(items: readonly LinkedBatch[]): WriteResult[] {
    return this.writeManyTransaction(items);
  }

  /**
   * Links calls and steps stored earlier to parents that arrived in this batch. A call held out of the
   * rollups (awaiting its parent) joins its worker's row once its link is final. A call already
   * counted under another worker (its parent came after the flush) moves: sketches cannot subtract,
   * so both rows are rebuilt from the raw calls — rare by construction.
   */
  private applyLinks(links: BatchLinks): void {
    for (const link of links.steps) this.linkStep.run(link.parentStepId, link.stepId, link.parentStepId);
    const touched = new Map<string, RollupDimensions>();
    const deltas = new Map<string, RollupDelta>();
    for (const sent of links.calls) {
      // A call merged into the proxy's row lives under the proxy's id; the proxy's header worker stays.
      const alias = this.twins.resolve(sent.callId);
      const link = alias ? { ...sent, callId: alias.id, worker: alias.keepWorker ? null : sent.worker } : sent;
      const before = this.callForRollup.get(link.callId) as (CallRow & { rollupPending: number }) | undefined;
      if (!before) continue;
      this.linkCall.run(link.stepId, link.worker, link.callId);
      const worker = link.worker ?? before.worker;
      if (before.rollupPending) {
        if (!link.final) continue;
        this.clearPending.run(link.callId);
        this.addStoredCall(deltas, { ...before, worker });
        continue;
      }
      if (before.worker === worker) continue; // same rollup row
      const old = rollupDimensions(toCallRecord(before));
      const moved = rollupDimensions({ ...toCallRecord(before), worker });
      touched.set(rollupKeyString(old), old);
      touched.set(rollupKeyString(moved), moved);
    }
    for (const delta of deltas.values()) this.applyRollup(delta);
    for (const dims of touched.values()) this.rebuildRollup(dims);
  }

  /** Adds a stored call (and its scores) to the rollup deltas. */
  private addStoredCall(deltas: Map<string, RollupDelta>, row: CallRow): void {
    const call = toCallRecord(row);
    addCallToRollup(deltas, call, call.costUsd ?? null);
    const quality = this.callQuality.get(row.id) as { qualitySum: number; qualityCount: number };
    if (quality.qualityCount > 0) {
      const delta = deltaFor(deltas, rollupDimensions(call));
      delta.qualitySum += quality.qualitySum;
      delta.qualityCount += quality.qualityCount;
    }
  }

  /**
   * Calls still awaiting a parent that started before `before` join the rollups under the unknown
   * worker (their parent is late or will never come; after a restart, links are not remembered).
   * Returns how many were flushed.
   */
  flushPendingRollups(before: number): number {
    return this.db.transaction(() => {
      const rows = this.pendingCalls.all(before) as CallRow[];
      const deltas = new Map<string, RollupDelta>();
      for (const row of rows) {
        this.clearPending.run(row.id);
        this.addStoredCall(deltas, row);
      }
      for (const delta of deltas.values()) this.applyRollup(delta);
      return rows.length;
    })();
  }

  private rebuildRollup(dims: RollupDimensions): void {
    const filter = { ...dims, bucketEnd: dims.bucketStart + HOUR_MS };
    const unknownWorker = dims.worker === UNKNOWN_DIMENSION;
    this.deleteRollup.run(dims.worker, dims.model, dims.promptVersion, dims.bucketStart);
    const calls = (unknownWorker ? this.callsInUnknownRollup : this.callsInRollup).all(filter) as CallRow[];
    const quality = (unknownWorker ? this.qualityInUnknownRollup : this.qualityInRollup).get(filter) as { qualitySum: number; qualityCount: number };
    if (calls.length === 0 && quality.qualityCount === 0) return;
    const deltas = new Map<string, RollupDelta>();
    const delta = deltaFor(deltas, dims);
    for (const row of calls) {
      const call = toCallRecord(row);
      addCallToRollup(deltas, { ...call, worker: dims.worker }, call.costUsd ?? null);
    }
    delta.qualitySum = quality.qualitySum;
    delta.qualityCount = quality.qualityCount;
    this.applyRollup(delta);
  }

  private writeAll(batch: IngestBatch): WriteResult {
    const result: WriteResult = { runs: 0, steps: 0, calls: 0, duplicateCalls: 0, scores: 0 };
    for (const run of batch.runs) {
      this.upsertRun.run(runRow(run));
      result.runs++;
    }
    // Steps and calls may name a run that arrives later (spans come in any order): create a stub now.
    const runStarts = new Map<string, { source: string; startedAt: number }>();
    const noteRun = (runId: string | null | undefined, source: string, startedAt: number) => {
      if (!runId) return;
      const seen = runStarts.get(runId);
      if (!seen || startedAt < seen.startedAt) runStarts.set(runId, { source, startedAt });
    };
    for (const step of batch.steps) noteRun(step.runId, 'otlp', step.startedAt);
    for (const call of batch.calls) noteRun(call.runId, call.source, call.startedAt);
    for (const run of batch.runs) runStarts.delete(run.id); // already stored above
    for (const [runId, { source, startedAt }] of runStarts) this.insertRunStub.run(runId, source, startedAt);
    // Steps and calls reference their run by its integer key (see runRefsMigration.ts).
    const refs = new Map<string, number>();
    const refOf = (runId: string | null | undefined): number | null => {
      if (!runId) return null;
      let ref = refs.get(runId);
      if (ref === undefined) {
        ref = this.runRef.get(runId) as number;
        refs.set(runId, ref);
      }
      return ref;
    };

    for (const step of batch.steps) {
      this.upsertStep.run(stepRow(step, refOf(step.runId)));
      result.steps++;
    }

    const deltas = new Map<string, RollupDelta>();
    // Rollup rows a merge took a call out of: rebuilt from the raw calls once the deltas are in.
    const rebuild = new Map<string, RollupDimensions>();
    for (const incoming of batch.calls) {
      let call = incoming;
      const twin = this.twins.find(incoming);
      if (twin !== undefined) {
        if (twin.source === 'proxy') {
          this.mergeIntoProxy(twin, incoming, refOf(incoming.runId), deltas, rebuild);
          result.duplicateCalls++;
          continue;
        }
        call = this.replaceInstrumentedTwin(twin, incoming, rebuild);
      }
      const cost = this.costOf(call);
      const info = this.insertCall.run(this.callValues(call, cost, refOf(call.runId)));
      if (info.changes === 0) {
        result.duplicateCalls++;
        continue;
      }
      result.calls++;
      if (twin !== undefined) {
        if (!call.awaitingParent) rebuild.set(rollupKeyString(rollupDimensions(call)), rollupDimensions(call)); // with the scores it took over
      } else if (!call.awaitingParent) addCallToRollup(deltas, call, cost.costUsd);
    }
    for (const score of batch.scores) {
      const callId = score.callId ? (this.twins.resolve(score.callId)?.id ?? score.callId) : score.callId;
      const call = callId ? (this.callForScore.get(callId) as CallDimensionsRow | undefined) : undefined;
      this.insertScore.run(scoreRow({ ...score, callId }, call));
      result.scores++;
      // A pending call's scores join the rollups together with the call, when its parent links it.
      if (call && !call.rollupPending && typeof score.value === 'number' && Number.isFinite(score.value)) {
        const delta = deltaFor(deltas, rollupDimensions(call));
        delta.qualitySum += score.value;
        delta.qualityCount++;
      }
    }
    for (const delta of deltas.values()) this.applyRollup(delta);
    for (const dims of rebuild.values()) this.rebuildRollup(dims);
    return result;
  }

  /** An instrumentation's span of a call the proxy recorded: the proxy's row learns where it sits; no second row. */
  private mergeIntoProxy(twin: StoredTwin, call: CallRecord, runRef: number | null, deltas: Map<string, RollupDelta>, rebuild: Map<string, RollupDimensions>): void {
    const before = this.callForRollup.get(twin.id) as (CallRow & { rollupPending: number }) | undefined;
    this.mergeIntoProxyRow.run(call.stepId ?? null, call.traceId ?? null, call.spanId ?? null, call.runId ?? null, runRef, call.worker ?? null, call.sourceFile ?? null, call.sourceLine ?? null, call.promptId ?? null, twin.id);
    this.twins.alias(call.id, { id: twin.id, keepWorker: twin.worker !== null });
    if (before === undefined || before.rollupPending || twin.worker !== null || call.worker == null) return;
    // Counted under the unknown worker so far: out of that row, into its worker's.
    const old = rollupDimensions(toCallRecord(before));
    rebuild.set(rollupKeyString(old), old);
    this.addStoredCall(deltas, { ...before, worker: call.worker });
  }

  /** The proxy's record of a call an instrumentation reported first: it replaces that row, keeping its place in the tree and its scores. */
  private replaceInstrumentedTwin(twin: StoredTwin, proxy: CallRecord, rebuild: Map<string, RollupDimensions>): CallRecord {
    const before = this.callForRollup.get(twin.id) as (CallRow & { rollupPending: number }) | undefined;
    this.deleteCall.run(twin.id);
    this.moveScores.run(proxy.id, twin.id);
    if (before !== undefined && !before.rollupPending) {
      const old = rollupDimensions(toCallRecord(before));
      rebuild.set(rollupKeyString(old), old);
    }
    this.twins.alias(twin.id, { id: proxy.id, keepWorker: proxy.worker != null });
    return proxyCallWithInstrumentedTwin(proxy, twin);
  }

  private costOf(call: CallRecord): { costUsd: number | null; costSource: CostSource | null } {
    let costUsd = call.costUsd ?? null;
    let costSource: CostSource | null = call.costSource ?? (costUsd !== null ? 'client' : null);
    if (costUsd === null && this.options.costFor) {
      const estimate = this.options.costFor(call);
      if (estimate) {
        costUsd = estimate.costUsd;
        costSource = estimate.source;
      }
    }
    return { costUsd, costSource: costSource ?? (costUsd === null ? 'unknown' : null) };
  }

  /** The insertCall parameters, in its column order (positional binding is markedly cheaper than named). */
  private callValues(call: CallRecord, cost: { costUsd: number | null; costSource: CostSource | null }, runRef: number | null): unknown[] {
    const mode = this.options.contentMode;
    return [
      call.id,
      runRef,
      call.runId ?? null,
      call.stepId ?? null,
      call.worker ?? null,
      call.source,
      call.provider ?? null,
      call.operation,
      call.requestModel ?? null,
      call.responseModel ?? null,
      call.temperature ?? null,
      call.maxTokens ?? null,
      call.topP ?? null,
      boolOrNull(call.stream),
      call.inputTokens ?? null,
      call.outputTokens ?? null,
      call.cachedTokens ?? null,
      call.reasoningTokens ?? null,
      cost.costUsd,
      cost.costSource,
      call.startedAt,
      call.latencyMs ?? null,
      call.ttftMs ?? null,
      call.finishReason ?? null,
      call.status,
      call.httpStatus ?? null,
      call.errorType ?? null,
      call.errorMessage ? redactSecrets(call.errorMessage) : null,
      call.promptId ?? null,
      call.promptVersion ?? null,
      call.promptFingerprint ?? null,
      call.sourceFile ?? null,
      call.sourceLine ?? null,
      applyContentMode(call.inputText, mode),
      applyContentMode(call.outputText, mode),
      mode,
      boolOrNull(call.cacheHit),
      call.variant ?? null,
      call.retryCount ?? null,
      call.traceId ?? null,
      call.spanId ?? null,
      call.awaitingParent ? 1 : 0,
      call.responseId ?? null,
    ];
  }

  private applyRollup(delta: RollupDelta): void {
    const { worker, model, promptVersion, bucketStart } = delta.dims;
    let sketchBytes: Buffer | null = null;
    let latencySum = 0;
    if (delta.latencies.length > 0) {
      const existing = this.readRollupSketch.get(worker, model, promptVersion, bucketStart) as
        | { latency_sketch: Buffer | null }
        | undefined;
      const key = rollupKeyString(delta.dims);
      const sketch = this.sketches.sketchFor(key, existing?.latency_sketch);
      for (const latency of delta.latencies) {
        sketch.accept(latency);
        latencySum += latency;
      }
      sketchBytes = encodeSketch(sketch);
      this.sketches.remember(key, sketch, sketchBytes);
    }
    this.upsertRollup.run(
      worker,
      model,
      promptVersion,
      bucketStart,
      delta.calls,
      delta.errors,
      delta.cancelled,
      delta.rateLimited,
      delta.cacheHits,
      delta.lengthStops,
      delta.streamedWithoutUsage,
      delta.inputTokens,
      delta.outputTokens,
      delta.cachedTokens,
      delta.reasoningTokens,
      delta.costUsd,
      latencySum,
      delta.latencies.length,
      delta.ttftSum,
      delta.ttftCount,
      delta.qualitySum,
      delta.qualityCount,
      sketchBytes,
    );
  }
}

/** A stored call as the rollup statements read it back. */
interface CallRow {
  id: string;
  worker: string | null;
  requestModel: string | null;
  responseModel: string | null;
  promptVersion: string | null;
  promptFingerprint: string | null;
  startedAt: number;
  status: CallRecord['status'];
  httpStatus: number | null;
  cacheHit: number | null;
  finishReason: string | null;
  stream: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedTokens: number | null;
  reasoningTokens: number | null;
  costUsd: number | null;
  latencyMs: number | null;
  ttftMs: number | null;
}

function toCallRecord(row: CallRow): CallRecord {
  return {
    ...row,
    source: 'otlp',
    operation: 'chat',
    stream: row.stream === null ? null : row.stream === 1,
    cacheHit: row.cacheHit === null ? null : row.cacheHit === 1,
  };
}

interface CallDimensionsRow {
  rollupPending: number;
  worker: string | null;
  runId: string | null;
  requestModel: string | null;
  responseModel: string | null;
  promptVersion: string | null;
  promptFingerprint: string | null;
  startedAt: number;
}

function deltaFor(deltas: Map<string, RollupDelta>, dims: RollupDimensions): RollupDelta {
  const key = rollupKeyString(dims);
  let delta = deltas.get(key);
  if (!delta) {
    delta = {
      dims,
      calls: 0,
      errors: 0,
      cancelled: 0,
      rateLimited: 0,
      cacheHits: 0,
      lengthStops: 0,
      streamedWithoutUsage: 0,
      inputTokens: 0,
      outputTokens: 0,
      cachedTokens: 0,
      reasoningTokens: 0,
      costUsd: 0,
      latencies: [],
      ttftSum: 0,
      ttftCount: 0,
      qualitySum: 0,
      qualityCount: 0,
    };
    deltas.set(key, delta);
  }
  return delta;
}

function addCallToRollup(deltas: Map<string, RollupDelta>, call: CallRecord, costUsd: number | null): void {
  const delta = deltaFor(deltas, rollupDimensions(call));
  delta.calls++;
  if (call.status === 'error') delta.errors++;
  if (call.status === 'cancelled') delta.cancelled++;
  if (call.httpStatus === 429) delta.rateLimited++;
  if (call.cacheHit) delta.cacheHits++;
  if (call.finishReason === 'length' || call.finishReason === 'max_tokens') delta.lengthStops++;
  if (call.stream && call.status === 'ok' && call.outputTokens == null) delta.streamedWithoutUsage++;
  delta.inputTokens += call.inputTokens ?? 0;
  delta.outputTokens += call.outputTokens ?? 0;
  delta.cachedTokens += call.cachedTokens ?? 0;
  delta.reasoningTokens += call.reasoningTokens ?? 0;
  delta.costUsd += costUsd ?? 0;
  if (typeof call.latencyMs === 'number' && Number.isFinite(call.latencyMs) && call.latencyMs >= 0) {
    delta.latencies.push(call.latencyMs);
  }
  if (typeof call.ttftMs === 'number' && Number.isFinite(call.ttftMs)) {
    delta.ttftSum += call.ttftMs;
    delta.ttftCount++;
  }
}

function boolOrNull(value: boolean | null | undefined): number | null {
  return value === null || value === undefined ? null : value ? 1 : 0;
}

function attributesJson(attributes: Record<string, unknown> | null | undefined): string | null {
  if (!attributes || Object.keys(attributes).length === 0) return null;
  return JSON.stringify(redactAttributes(attributes));
}

/** upsertRun's parameters, in its column order. */
function runRow(run: RunRecord): unknown[] {
  return [
    run.id,
    run.name ?? null,
    run.source,
    run.startedAt,
    run.endedAt ?? null,
    run.status,
    run.exitCode ?? null,
    run.command ? redactSecrets(run.command) : null,
    run.serviceName ?? null,
    attributesJson(run.attributes),
  ];
}

/** upsertStep's parameters, in its column order. */
function stepRow(step: StepRecord, runRef: number | null): unknown[] {
  return [
    step.id,
    runRef,
    step.runId,
    step.parentStepId ?? null,
    step.worker,
    step.kind,
    step.startedAt,
    step.endedAt ?? null,
    step.status,
    step.errorMessage ? redactSecrets(step.errorMessage) : null,
    attributesJson(step.attributes),
  ];
}

function scoreRow(score: ScoreRecord, call: CallDimensionsRow | undefined) {
  return {
    callId: score.callId ?? null,
    runId: score.runId ?? call?.runId ?? null,
    worker: call?.worker ?? null,
    name: score.name,
    value: score.value ?? null,
    rawValue: score.rawValue ?? null,
    label: score.label ?? null,
    comment: score.comment ?? null,
    source: score.source,
    createdAt: score.createdAt,
  };
}
