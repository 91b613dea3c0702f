// What the language server reads from the store: open anomalies, open recommendations, per-worker
// measurements for lenses, and where recorded calls say they came from (source file and line).
import type Database from 'better-sqlite3';
import type { Anomaly, Recommendation, Severity } from '../../shared/domain';
import { recommendationFromRow, type RecommendationRow } from '../optimize/recommendationStore';
import { aggregateWorkers, type WorkerAggregate } from '../store/workerQueries';
import { parseJsonObject } from '../store/jsonColumn';

/** The measurements behind the lenses: the last week, one aggregate per worker. */
export const LENS_WINDOW_MS = 7 * 86_400_000;

export interface SourceAttribution {
  worker: string;
  file: string;
  /** 1-based, as spans carry it (code.lineno); null when only the file is known. */
  line: number | null;
  calls: number;
}

/** The parts of an open anomaly the editor shows (the detector owns the full row). */
export type OpenAnomaly = Pick<
  Anomaly,
  'id' | 'kind' | 'severity' | 'worker' | 'model' | 'beganAt' | 'lastSeenAt' | 'baseline' | 'current' | 'title' | 'evidence' | 'suspectedCause'
>;

export interface StoreFacts {
  anomalies: OpenAnomaly[];
  recommendations: Recommendation[];
  metrics: Map<string, WorkerAggregate>;
  attributions: SourceAttribution[];
}

const SEVERITY_RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export function severityRank(severity: Severity): number {
  return SEVERITY_RANK[severity] ?? 0;
}

export function readStoreFacts(db: Database.Database, now = Date.now()): StoreFacts {
  const metrics = new Map<string, WorkerAggregate>();
  for (const aggregate of aggregateWorkers(db, { since: now - LENS_WINDOW_MS, until: now + 1 }, 'worker')) {
    metrics.set(aggregate.worker, aggregate);
  }
  return { anomalies: readOpenAnomalies(db), recommendations: readOpenRecommendations(db), metrics, attributions: readAttributions(db, now) };
}

/**
 * Cheap fingerprints of what the editor shows; when one changes, the server republishes. `findings`
 * covers anomalies and recommendations, `calls` the measurements behind the lenses.
 */
export function storeFingerprint(db: Database.Database): { findings: string; calls: number } {
  const anomalies = db.prepare(`SELECT COUNT(*) AS n, MAX(last_seen_at) AS last FROM anomalies WHERE state = 'open'`).get() as { n: number; last: number | null };
  const recommendations = db.prepare(`SELECT COUNT(*) AS n, MAX(updated_at) AS last FROM recommendations`).get() as { n: number; last: number | null };
  const calls = db.prepare(`SELECT MAX(rowid) AS last FROM calls`).get() as { last: number | null };
  return { findings: `${anomalies.n}:${anomalies.last ?? 0}:${recommendations.n}:${recommendations.last ?? 0}`, calls: calls.last ?? 0 };
}

interface AnomalyRow {
  id: string;
  kind: string;
  severity: string;
  worker: string | null;
  model: string | null;
  began_at: number;
  last_seen_at: number;
  baseline: number | null;
  current: number | null;
  title: string;
  evidence: string;
  suspected_cause: string | null;
}

/** Open anomalies, worst severity first, then the most recently seen. */
export function readOpenAnomalies(db: Database.Database, limit = 500): OpenAnomaly[] {
  const rows = db
    .prepare(
      `SELECT id, kind, severity, worker, model, began_at, last_seen_at, baseline, current, title, evidence, suspected_cause
       FROM anomalies WHERE state = 'open' ORDER BY last_seen_at DESC LIMIT ?`,
    )
    .all(limit) as AnomalyRow[];
  return rows
    .map(
      (row): OpenAnomaly => ({
        id: row.id,
        kind: row.kind as Anomaly['kind'],
        severity: asSeverity(row.severity),
        worker: row.worker,
        model: row.model,
        beganAt: row.began_at,
        lastSeenAt: row.last_seen_at,
        baseline: row.baseline,
        current: row.current,
        title: row.title,
        evidence: parseJsonObject(row.evidence),
        suspectedCause: row.suspected_cause,
      }),
    )
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.lastSeenAt - a.lastSeenAt);
}

/** Recommendations waiting for a human (state open), most confident first. */
export function readOpenRecommendations(db: Database.Database, limit = 500): Recommendation[] {
  const rows = db
    .prepare(`SELECT * FROM recommendations WHERE state = 'open' ORDER BY confidence DESC, updated_at DESC LIMIT ?`)
    .all(limit) as RecommendationRow[];
  return rows.map((row) => recommendationFromRow(row));
}

export function readRecommendation(db: Database.Database, id: string): Recommendation | null {
  const row = db.prepare(`SELECT * FROM recommendations WHERE id = ?`).get(id) as RecommendationRow | undefined;
  return row ? recommendationFromRow(row) : null;
}

/** Source locations recorded on calls in the lens window (OTel code.filepath/code.lineno, native source). */
function readAttributions(db: Database.Database, now: number): SourceAttribution[] {
  return db
    .prepare(
      `SELECT worker, source_file AS file, source_line AS line, COUNT(*) AS calls FROM calls
       WHERE source_file IS NOT NULL AND worker IS NOT NULL AND started_at >= ?
       GROUP BY worker, source_file, source_line ORDER BY calls DESC LIMIT 200`,
    )
    .all(now - LENS_WINDOW_MS) as SourceAttribution[];
}

function asSeverity(value: string): Severity {
  return value === 'error' || value === 'warning' ? value : 'info';
}
