// Recommendations (optimizer proposals and their fate) in the `recommendations` table.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ProposedChange, Recommendation, RecommendationState, SuggestedEdit } from '../../shared/domain';
import type { Proposal } from './optimizer';
import { parseJsonObject } from '../store/jsonColumn';

/** A `recommendations` row as SQLite returns it. */
export interface RecommendationRow {
  id: string;
  optimizer: string;
  worker: string | null;
  title: string;
  state: string;
  change: string;
  evidence: string;
  expected_gain: string;
  confidence: number;
  edit: string | null;
  experiment_id: string | null;
  created_at: number;
  updated_at: number;
}

/**
 * The domain object of a row. Defensive: a row another version or a hand edit left with bad JSON
 * reads as empty fields instead of failing every reader (the editor, the dashboard, the cycle).
 */
export function recommendationFromRow(row: RecommendationRow): Recommendation {
  const change = parseJsonObject(row.change);
  const gain = parseJsonObject(row.expected_gain);
  const edit = row.edit ? parseJsonObject(row.edit) : null;
  return {
    id: row.id,
    optimizer: row.optimizer,
    worker: row.worker,
    title: row.title,
    state: row.state as RecommendationState,
    change: { ...change, kind: String(change.kind ?? 'model') as ProposedChange['kind'], to: change.to },
    evidence: parseJsonObject(row.evidence),
    expectedGain: {
      metric: String(gain.metric ?? ''),
      relative: typeof gain.relative === 'number' ? gain.relative : 0,
      description: String(gain.description ?? ''),
    },
    confidence: row.confidence,
    edit: edit && typeof edit.file === 'string' && typeof edit.newText === 'string' && edit.range ? (edit as unknown as SuggestedEdit) : null,
    experimentId: row.experiment_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class RecommendationStore {
  constructor(private readonly db: Database.Database) {}

  create(proposal: Proposal, edit: SuggestedEdit | null, at = Date.now()): Recommendation {
    const id = `rec_${randomUUID()}`;
    const evidence = { ...proposal.evidence, test: proposal.test, apply: proposal.apply };
    this.db
      .prepare(
        `INSERT INTO recommendations (id, optimizer, worker, title, state, change, evidence, expected_gain, confidence, edit, experiment_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, NULL, ?, ?)`,
      )
      .run(id, proposal.optimizer, proposal.worker, proposal.title, JSON.stringify(proposal.change), JSON.stringify(evidence), JSON.stringify(proposal.expectedGain), proposal.confidence, edit ? JSON.stringify(edit) : null, at, at);
    return this.get(id) as Recommendation;
  }

  get(id: string): Recommendation | null {
    const row = this.db.prepare('SELECT * FROM recommendations WHERE id = ?').get(id) as RecommendationRow | undefined;
    return row ? recommendationFromRow(row) : null;
  }

  list(filter: { state?: RecommendationState; worker?: string } = {}): Recommendation[] {
    const rows = this.db
      .prepare(`SELECT * FROM recommendations WHERE (? IS NULL OR state = ?) AND (? IS NULL OR worker = ?) ORDER BY created_at DESC, rowid DESC`)
      .all(filter.state ?? null, filter.state ?? null, filter.worker ?? null, filter.worker ?? null) as RecommendationRow[];
    return rows.map(recommendationFromRow);
  }

  update(id: string, changes: { state?: RecommendationState; confidence?: number; experimentId?: string | null; evidence?: Record<string, unknown> }, at = Date.now()): Recommendation {
    const current = this.get(id);
    if (!current) throw new Error(`no recommendation ${id}`);
    this.db
      .prepare('UPDATE recommendations SET state = ?, confidence = ?, experiment_id = ?, evidence = ?, updated_at = ? WHERE id = ?')
      .run(
        changes.state ?? current.state,
        changes.confidence ?? current.confidence,
        changes.experimentId === undefined ? current.experimentId : changes.experimentId,
        JSON.stringify(changes.evidence ? { ...current.evidence, ...changes.evidence } : current.evidence),
        at,
        id,
      );
    return this.get(id) as Recommendation;
  }
}
