// Persists the anomaly lifecycle: one row per incident (at most one open per kind and series), and
// every transition kept, so the history of an incident survives restarts.
import type Database from 'better-sqlite3';
import type { Anomaly, AnomalyKind, AnomalyState, Severity } from '../../shared/domain';

/** What the watcher writes: the anomaly as served, less what the lifecycle sets (state, resolution). */
export type AnomalyUpsert = Omit<Anomaly, 'state' | 'resolvedAt'>;

interface AnomalyRow {
  id: string;
  kind: string;
  severity: string;
  state: string;
  series: string;
  metric: string;
  worker: string | null;
  model: string | null;
  prompt_version: string | null;
  began_at: number;
  last_seen_at: number;
  resolved_at: number | null;
  baseline: number | null;
  current: number | null;
  score: number | null;
  title: string;
  evidence: string;
  suspected_cause: string | null;
}

export class AnomalyStore {
  constructor(private readonly db: Database.Database) {}

  /** Opens (or reopens) an anomaly and records the transition. */
  open(anomaly: AnomalyUpsert, at: number): void {
    this.db.transaction(() => {
      const before = this.db.prepare('SELECT state FROM anomalies WHERE id = ?').get(anomaly.id) as { state: string } | undefined;
      this.db
        .prepare(
          `INSERT INTO anomalies (id, kind, severity, state, series, metric, worker, model, prompt_version, began_at, last_seen_at,
             resolved_at, baseline, current, score, title, evidence, suspected_cause)
           VALUES (@id, @kind, @severity, 'open', @series, @metric, @worker, @model, @promptVersion, @beganAt, @lastSeenAt,
             NULL, @baseline, @current, @score, @title, @evidence, @suspectedCause)
           ON CONFLICT(id) DO UPDATE SET state = 'open', severity = excluded.severity, last_seen_at = excluded.last_seen_at,
             resolved_at = NULL, baseline = excluded.baseline, current = excluded.current, score = excluded.score,
             title = excluded.title, evidence = excluded.evidence, suspected_cause = excluded.suspected_cause`,
        )
        .run({ ...anomaly, evidence: JSON.stringify(anomaly.evidence) });
      this.transition(anomaly.id, before?.state ?? null, 'open', at, anomaly.title);
    })();
  }

  /** Refreshes the evidence of an open anomaly (same incident, still firing; a spike may grow into a shift). */
  update(anomaly: AnomalyUpsert, at: number, severityChanged: boolean): void {
    this.db
      .prepare(
        `UPDATE anomalies SET kind = @kind, severity = @severity, last_seen_at = @lastSeenAt, baseline = @baseline, current = @current,
           score = @score, title = @title, evidence = @evidence, suspected_cause = @suspectedCause WHERE id = @id`,
      )
      .run({ ...anomaly, evidence: JSON.stringify(anomaly.evidence) });
    if (severityChanged) this.transition(anomaly.id, 'open', 'open', at, `severity ${anomaly.severity}`);
  }

  resolve(id: string, at: number): void {
    this.db.transaction(() => {
      this.db.prepare(`UPDATE anomalies SET state = 'resolved', resolved_at = ? WHERE id = ? AND state = 'open'`).run(at, id);
      this.transition(id, 'open', 'resolved', at, 'the series returned to normal');
    })();
  }

  list(filter: { state?: AnomalyState; worker?: string; limit?: number } = {}): Anomaly[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit ?? 500 };
    if (filter.state) {
      where.push('state = @state');
      params.state = filter.state;
    }
    if (filter.worker) {
      where.push('worker = @worker');
      params.worker = filter.worker;
    }
    const rows = this.db
      .prepare(`SELECT * FROM anomalies ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY last_seen_at DESC LIMIT @limit`)
      .all(params) as AnomalyRow[];
    return rows.map(toAnomaly);
  }

  transitions(id: string): Array<{ at: number; from: string | null; to: string; detail: string | null }> {
    return this.db
      .prepare(`SELECT at, from_state AS "from", to_state AS "to", detail FROM anomaly_transitions WHERE anomaly_id = ? ORDER BY id`)
      .all(id) as Array<{ at: number; from: string | null; to: string; detail: string | null }>;
  }

  private transition(id: string, from: string | null, to: string, at: number, detail: string): void {
    this.db.prepare('INSERT INTO anomaly_transitions (anomaly_id, at, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?)').run(id, at, from, to, detail);
  }
}

function toAnomaly(row: AnomalyRow): Anomaly {
  return {
    id: row.id,
    kind: row.kind as AnomalyKind,
    severity: row.severity as Severity,
    state: row.state as AnomalyState,
    series: row.series,
    metric: row.metric,
    worker: row.worker,
    model: row.model,
    promptVersion: row.prompt_version,
    beganAt: row.began_at,
    lastSeenAt: row.last_seen_at,
    resolvedAt: row.resolved_at,
    baseline: row.baseline,
    current: row.current,
    score: row.score,
    title: row.title,
    evidence: JSON.parse(row.evidence) as Record<string, unknown>,
    suspectedCause: row.suspected_cause,
  };
}
