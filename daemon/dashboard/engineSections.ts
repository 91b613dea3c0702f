// The dashboard's lists of what the engine wrote: anomalies, recommendations, experiments and the
// decision log. Read defensively: tables may be empty, JSON columns may hold anything an older or
// newer daemon wrote, so every field is checked and every list is capped.
import type Database from 'better-sqlite3';
import { ACCEPTABLE_STATES, DISMISSABLE_STATES } from '../optimize/humanDecisions';
import type { RecommendationRow } from '../optimize/recommendationStore';
import type {
  DashboardAnomaly,
  DashboardDecision,
  DashboardExperiment,
  DashboardRecommendation,
  ExperimentEffect,
} from '../../shared/http/dashboard';

export const LIST_LIMIT = 100;

/** The value as a plain object, or {} when it is anything else. */
export const asObject = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

export function parseJsonObject(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    return asObject(JSON.parse(text));
  } catch {
    return {};
  }
}

export const finiteOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** A proposed value as a short text ("gpt-4o-mini", "512", "{"enabled":true}"). */
function describeValue(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

const SEVERITIES = new Set(['info', 'warning', 'error']);

interface AnomalyRow {
  id: string;
  kind: string;
  severity: string;
  state: string;
  worker: string | null;
  metric: string;
  title: string;
  began_at: number;
  last_seen_at: number;
  resolved_at: number | null;
  baseline: number | null;
  current: number | null;
  suspected_cause: string | null;
}

/** Open anomalies first (most recent first), then those resolved most recently. */
export function dashboardAnomalies(db: Database.Database): DashboardAnomaly[] {
  const rows = db
    .prepare(
      `SELECT id, kind, severity, state, worker, metric, title, began_at, last_seen_at, resolved_at, baseline, current, suspected_cause
       FROM anomalies ORDER BY (state = 'open') DESC, last_seen_at DESC LIMIT ?`,
    )
    .all(LIST_LIMIT) as AnomalyRow[];
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    severity: (SEVERITIES.has(r.severity) ? r.severity : 'warning') as DashboardAnomaly['severity'],
    state: r.state,
    worker: r.worker,
    metric: r.metric,
    title: r.title,
    beganAt: r.began_at,
    lastSeenAt: r.last_seen_at,
    resolvedAt: finiteOrNull(r.resolved_at),
    baseline: finiteOrNull(r.baseline),
    current: finiteOrNull(r.current),
    suspectedCause: r.suspected_cause,
  }));
}

const STATE_ORDER = `CASE state WHEN 'open' THEN 0 WHEN 'testing' THEN 1 WHEN 'applied' THEN 2 WHEN 'accepted' THEN 3 ELSE 4 END`;

export interface AppliedChange {
  id: string;
  worker: string | null;
  title: string;
  /** When the change went live (the watch record's time, else the last update). */
  appliedAt: number;
  /** Relative change in cost per call, measured after applying when known, else as expected. */
  costChange: number | null;
}

export function readRecommendations(db: Database.Database): { list: DashboardRecommendation[]; applied: AppliedChange[] } {
  const rows = db
    .prepare(
      `SELECT id, optimizer, worker, title, state, change, evidence, expected_gain, confidence, experiment_id, created_at, updated_at
       FROM recommendations ORDER BY ${STATE_ORDER}, updated_at DESC LIMIT ?`,
    )
    .all(LIST_LIMIT * 5) as Array<Omit<RecommendationRow, 'edit'>>;
  const applied: AppliedChange[] = [];
  const list = rows.map((r): DashboardRecommendation => {
    const change = parseJsonObject(r.change);
    const gain = parseJsonObject(r.expected_gain);
    if (r.state === 'applied' || r.state === 'accepted') {
      const evidence = parseJsonObject(r.evidence);
      const watch = asObject(evidence.watch);
      const measured = finiteOrNull(asObject(watch.changes).cost);
      const expected = gain.metric === 'cost' ? finiteOrNull(gain.relative) : null;
      applied.push({ id: r.id, worker: r.worker, title: r.title, appliedAt: finiteOrNull(asObject(watch.applied).at) ?? r.updated_at, costChange: measured ?? expected });
    }
    return {
      id: r.id,
      optimizer: r.optimizer,
      worker: r.worker,
      title: r.title,
      state: r.state,
      change: { kind: stringOrNull(change.kind) ?? 'change', from: describeValue(change.from), to: describeValue(change.to) ?? '' },
      expectedGain: { metric: stringOrNull(gain.metric) ?? '', relative: finiteOrNull(gain.relative), description: stringOrNull(gain.description) ?? '' },
      confidence: finiteOrNull(r.confidence) ?? 0,
      experimentId: r.experiment_id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      canApply: ACCEPTABLE_STATES.has(r.state),
      canDismiss: DISMISSABLE_STATES.has(r.state),
    };
  });
  return { list: list.slice(0, LIST_LIMIT), applied };
}

interface ExperimentRow {
  id: string;
  recommendation_id: string | null;
  kind: string;
  worker: string | null;
  state: string;
  result: string | null;
  spent_usd: number;
  started_at: number;
  ended_at: number | null;
}

/** Effects from a stored result: `metrics` rows of the experiment decision ({ relative, ci: [lo, hi], p }). */
export function experimentEffects(result: Record<string, unknown>): ExperimentEffect[] {
  const metrics = Array.isArray(result.metrics) ? (result.metrics as unknown[]) : [];
  return metrics.slice(0, 20).flatMap((m): ExperimentEffect[] => {
    if (m === null || typeof m !== 'object') return [];
    const row = m as Record<string, unknown>;
    const ci = Array.isArray(row.ci) ? row.ci : [];
    return [
      {
        metric: stringOrNull(row.metric) ?? '?',
        role: stringOrNull(row.role) ?? '',
        control: finiteOrNull(row.control),
        treatment: finiteOrNull(row.treatment),
        relative: finiteOrNull(row.relative),
        ciLow: finiteOrNull(ci[0]),
        ciHigh: finiteOrNull(ci[1]),
        p: finiteOrNull(row.p),
      },
    ];
  });
}

/** Running experiments first, then the most recent. */
export function dashboardExperiments(db: Database.Database): DashboardExperiment[] {
  const rows = db
    .prepare(
      `SELECT id, recommendation_id, kind, worker, state, result, spent_usd, started_at, ended_at
       FROM experiments ORDER BY (state = 'running') DESC, started_at DESC LIMIT ?`,
    )
    .all(LIST_LIMIT) as ExperimentRow[];
  return rows.map((r) => {
    const result = parseJsonObject(r.result);
    return {
      id: r.id,
      recommendationId: r.recommendation_id,
      kind: r.kind,
      worker: r.worker,
      state: r.state,
      decision: stringOrNull(result.decision) ?? stringOrNull(result.winner),
      confidence: finiteOrNull(result.confidence),
      samples: finiteOrNull(result.samples) ?? finiteOrNull(result.pairs),
      spentUsd: finiteOrNull(r.spent_usd) ?? 0,
      startedAt: r.started_at,
      endedAt: finiteOrNull(r.ended_at),
      effects: experimentEffects(result),
    };
  });
}

/** The most recent decisions, newest first; optimization cycles are left to the learning curve. */
export function dashboardDecisions(db: Database.Database): DashboardDecision[] {
  return (
    db
      .prepare(
        `SELECT id, at, actor, action, worker, summary, recommendation_id AS recommendationId, experiment_id AS experimentId
         FROM decisions WHERE action <> 'cycle' ORDER BY at DESC, id DESC LIMIT ?`,
      )
      .all(LIST_LIMIT) as DashboardDecision[]
  ).map((d) => ({ ...d, summary: d.summary.length > 2000 ? `${d.summary.slice(0, 1999)}…` : d.summary }));
}
