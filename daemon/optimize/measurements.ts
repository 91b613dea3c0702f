// Gathers the measurements every optimizer reads, once per cycle, from the store. Each worker is
// measured since its last override change (so the figures describe its current configuration).
import type Database from 'better-sqlite3';
import type { ProjectConfig } from '../../shared/config';
import type { OverrideSpec } from '../../shared/http/overrides';
import type { PriceTable } from '../pricing/priceTable';
import { duplicateRate } from '../proxy/responseCache';
import { candidateModels } from './upstreamModels';
import type { Measurements, ModelPriceView, ModelUsage, RunTrace, WorkerMeasurements } from './optimizer';

export interface MeasureOptions {
  now: number;
  since: number;
  config: ProjectConfig;
  prices: PriceTable;
  overrideOf(worker: string): { spec: OverrideSpec; setAt: number } | null;
  triedKeys: ReadonlySet<string>;
  /** Model ids the upstream lists (GET /v1/models); empty when unknown. */
  listedModels?: readonly string[];
  maxTraces?: number;
}

interface WorkerRow {
  worker: string;
  calls: number;
  errors: number;
  rate_limited: number;
  timeouts: number;
  retried: number;
  runs: number;
  cost: number;
  latency_mean: number | null;
  input_mean: number | null;
  output_mean: number | null;
  length_stops: number;
  replayable: number;
}

export function priceView(prices: PriceTable, model: string): ModelPriceView | null {
  const hit = prices.lookup(model);
  if (!hit) return null;
  return { inputPerToken: hit.price.input_cost_per_token, outputPerToken: hit.price.output_cost_per_token ?? hit.price.input_cost_per_token };
}

/** The system message of a recorded chat input (JSON array of messages), if any. */
export function systemPromptFromInput(inputText: string | null): string | null {
  if (!inputText) return null;
  try {
    const messages = JSON.parse(inputText) as Array<{ role?: string; content?: unknown }>;
    if (!Array.isArray(messages)) return null;
    const system = messages.find((m) => m.role === 'system' || m.role === 'developer');
    return typeof system?.content === 'string' ? system.content : null;
  } catch {
    return null;
  }
}

function measureWorker(db: Database.Database, worker: string, since: number, now: number, options: MeasureOptions): WorkerMeasurements | null {
  const row = db
    .prepare(
      `SELECT worker, COUNT(*) AS calls, SUM(status <> 'ok') AS errors, SUM(http_status = 429) AS rate_limited,
              SUM(COALESCE(error_type, '') LIKE '%timeout%') AS timeouts, SUM(COALESCE(retry_count, 0) > 0) AS retried,
              COUNT(DISTINCT run_id) AS runs, COALESCE(SUM(cost_usd), 0) AS cost, AVG(latency_ms) AS latency_mean,
              AVG(CASE WHEN COALESCE(cache_hit, 0) = 0 THEN input_tokens END) AS input_mean,
              AVG(CASE WHEN COALESCE(cache_hit, 0) = 0 THEN output_tokens END) AS output_mean,
              SUM(finish_reason = 'length') AS length_stops,
              SUM(input_text IS NOT NULL AND content_mode = 'full' AND operation = 'chat') AS replayable
       FROM calls WHERE worker = ? AND started_at >= ? AND started_at < ?`,
    )
    .get(worker, since, now) as WorkerRow;
  if (!row || row.calls === 0) return null;
  const natural = (
    db
      .prepare(
        `SELECT output_tokens AS t FROM calls WHERE worker = ? AND started_at >= ? AND started_at < ? AND finish_reason = 'stop'
         AND output_tokens IS NOT NULL AND COALESCE(cache_hit, 0) = 0 ORDER BY started_at DESC LIMIT 5000`,
      )
      .all(worker, since, now) as Array<{ t: number }>
  )
    .map((r) => r.t)
    .sort((a, b) => a - b);
  const mode = (column: string) =>
    (db.prepare(`SELECT ${column} AS v, COUNT(*) AS n FROM calls WHERE worker = ? AND started_at >= ? AND started_at < ? AND ${column} IS NOT NULL GROUP BY ${column} ORDER BY n DESC LIMIT 1`).get(worker, since, now) as
      | { v: number }
      | undefined)?.v ?? null;
  const models = db
    .prepare(
      `SELECT COALESCE(c.request_model, c.response_model) AS model, COUNT(*) AS calls, COALESCE(SUM(c.cost_usd), 0) AS cost,
              AVG(c.input_tokens) AS input_mean, AVG(c.output_tokens) AS output_mean, AVG(c.latency_ms) AS latency_mean
       FROM calls c WHERE c.worker = ? AND c.started_at >= ? AND c.started_at < ? AND COALESCE(c.request_model, c.response_model) IS NOT NULL
       GROUP BY model ORDER BY calls DESC`,
    )
    .all(worker, since, now) as Array<{ model: string; calls: number; cost: number; input_mean: number | null; output_mean: number | null; latency_mean: number | null }>;
  const quality = db
    .prepare(
      `SELECT AVG(s.value) AS q, COUNT(s.value) AS n FROM scores s JOIN calls c ON c.id = s.call_id
       WHERE c.worker = ? AND c.started_at >= ? AND c.started_at < ? AND s.value IS NOT NULL`,
    )
    .get(worker, since, now) as { q: number | null; n: number };
  const modelQuality = new Map(
    (
      db
        .prepare(
          `SELECT COALESCE(c.request_model, c.response_model) AS model, AVG(s.value) AS q FROM scores s JOIN calls c ON c.id = s.call_id
           WHERE c.worker = ? AND c.started_at >= ? AND c.started_at < ? AND s.value IS NOT NULL GROUP BY model`,
        )
        .all(worker, since, now) as Array<{ model: string; q: number }>
    ).map((r) => [r.model, r.q]),
  );
  const latest = db
    .prepare(`SELECT input_text FROM calls WHERE worker = ? AND input_text IS NOT NULL AND content_mode = 'full' ORDER BY started_at DESC LIMIT 1`)
    .get(worker) as { input_text: string } | undefined;
  const source = db
    .prepare(`SELECT source_file AS file, source_line AS line FROM calls WHERE worker = ? AND source_file IS NOT NULL ORDER BY started_at DESC LIMIT 1`)
    .get(worker) as { file: string; line: number | null } | undefined;
  const latencies = (
    db.prepare(`SELECT latency_ms AS l FROM calls WHERE worker = ? AND started_at >= ? AND started_at < ? AND latency_ms IS NOT NULL`).all(worker, since, now) as Array<{ l: number }>
  )
    .map((r) => r.l)
    .sort((a, b) => a - b);
  const usage: ModelUsage[] = models.map((mdl) => ({
    model: mdl.model,
    calls: mdl.calls,
    costPerCall: mdl.calls > 0 ? mdl.cost / mdl.calls : 0,
    inputTokensMean: mdl.input_mean ?? 0,
    outputTokensMean: mdl.output_mean ?? 0,
    latencyMeanMs: mdl.latency_mean,
    quality: modelQuality.get(mdl.model) ?? null,
  }));
  const override = options.overrideOf(worker);
  // With a model override the requests are already rewritten, so the recorded request model is the current one.
  return {
    worker,
    config: options.config.workers.find((w) => w.name === worker) ?? null,
    calls: row.calls,
    errors: row.errors ?? 0,
    rateLimited: row.rate_limited ?? 0,
    timeouts: row.timeouts ?? 0,
    retried: row.retried ?? 0,
    runs: row.runs,
    costUsd: row.cost,
    costPerCall: row.cost / row.calls,
    latencyMeanMs: row.latency_mean,
    latencyP95Ms: latencies.length > 0 ? latencies[Math.min(latencies.length - 1, Math.floor(0.95 * latencies.length))] : null,
    inputTokensMean: row.input_mean ?? 0,
    outputTokensMean: row.output_mean ?? 0,
    naturalOutputTokens: natural,
    lengthStops: row.length_stops ?? 0,
    maxTokens: mode('max_tokens'),
    temperature: mode('temperature'),
    models: usage,
    primaryModel: usage[0]?.model ?? null,
    duplicate: (() => {
      const d = duplicateRate(db, worker, now - since, now);
      return { rate: d.rate, requests: d.requests };
    })(),
    quality: quality.n > 0 ? quality.q : null,
    qualityCount: quality.n,
    systemPrompt: systemPromptFromInput(latest?.input_text ?? null),
    replayableCalls: row.replayable ?? 0,
    peakConcurrency: peakConcurrency(db, worker, since, now),
    override: override?.spec ?? null,
    source: source ? { file: source.file, line: source.line ?? 1 } : null,
  };
}

function peakConcurrency(db: Database.Database, worker: string, since: number, now: number): number {
  const rows = db
    .prepare(`SELECT started_at AS s, started_at + COALESCE(latency_ms, 0) AS e FROM calls WHERE worker = ? AND started_at >= ? AND started_at < ? ORDER BY started_at DESC LIMIT 2000`)
    .all(worker, since, now) as Array<{ s: number; e: number }>;
  const events = rows.flatMap((r) => [
    [r.s, 1],
    [r.e, -1],
  ]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let current = 0;
  let peak = 0;
  for (const [, delta] of events) {
    current += delta;
    peak = Math.max(peak, current);
  }
  return peak;
}

/** Run traces from steps, or from the calls of runs that have no steps. */
export function runTraces(db: Database.Database, since: number, now: number, limit = 300): RunTrace[] {
  const runs = db
    .prepare(`SELECT DISTINCT run_id AS id FROM calls WHERE run_id IS NOT NULL AND started_at >= ? AND started_at < ? ORDER BY started_at DESC LIMIT ?`)
    .all(since, now, limit) as Array<{ id: string }>;
  const stepsOf = db.prepare(`SELECT worker, started_at AS s, COALESCE(ended_at, started_at) AS e FROM steps WHERE run_ref = (SELECT ref FROM runs WHERE id = ?) AND kind <> 'llm'`);
  const callsOf = db.prepare(`SELECT worker, started_at AS s, started_at + COALESCE(latency_ms, 0) AS e FROM calls WHERE run_ref = (SELECT ref FROM runs WHERE id = ?) AND worker IS NOT NULL`);
  return runs.map((run) => {
    let rows = stepsOf.all(run.id) as Array<{ worker: string; s: number; e: number }>;
    if (rows.length === 0) rows = callsOf.all(run.id) as Array<{ worker: string; s: number; e: number }>;
    return { runId: run.id, spans: rows.map((r) => ({ worker: r.worker, startedAt: r.s, endedAt: r.e })) };
  });
}

export function gatherMeasurements(db: Database.Database, options: MeasureOptions): Measurements {
  const { now, since, config } = options;
  const names = (
    db.prepare(`SELECT DISTINCT worker FROM calls WHERE worker IS NOT NULL AND started_at >= ? AND started_at < ?`).all(since, now) as Array<{ worker: string }>
  ).map((r) => r.worker);
  const workers: WorkerMeasurements[] = [];
  for (const name of names.sort()) {
    const override = options.overrideOf(name);
    const workerSince = Math.max(since, override?.setAt ?? 0);
    const measured = measureWorker(db, name, workerSince, now, options);
    if (measured) workers.push(measured);
  }
  const seen = (db.prepare(`SELECT DISTINCT request_model AS m FROM calls WHERE request_model IS NOT NULL AND started_at >= ?`).all(since) as Array<{ m: string }>).map((r) => r.m);
  const configured = config.workers.map((w) => w.model).filter((m): m is string => Boolean(m));
  const candidates = candidateModels({
    listed: options.listedModels ?? [],
    configured: config.optimize.candidate_models,
    seen: [...seen, ...configured],
    usable: (m) => {
      const hit = options.prices.lookup(m);
      return hit !== null && (hit.price.mode === undefined || hit.price.mode === 'chat' || hit.price.mode === 'responses');
    },
  });
  return {
    now,
    since,
    config,
    workers,
    traces: runTraces(db, since, now, options.maxTraces),
    priceOf: (model) => priceView(options.prices, model),
    candidateModels: candidates,
    triedKeys: options.triedKeys,
  };
}
