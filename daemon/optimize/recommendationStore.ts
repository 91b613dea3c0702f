// Recommendations (optimizer proposals and their fate) in the `recommendations` table.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Recommendation, RecommendationState, SuggestedEdit } from '../../shared/domain';
import type { Proposal } from './optimizer';

interface Row {
  id: string;
  optimizer: string;
  worker: string | null;
  title: string;
  state: RecommendationState;
  change: string;
  evidence: string;
  expected_gain: string;
  confidence: number;
  edit: string | null;
  experiment_id: string | null;
  created_at: number;
  updated_at: number;
}

function toRecommendation(row: Row): Recommendation {
  return {
    id: row.id,
    optimizer: row.optimizer,
    worker: row.worker,
    title: row.title,
    state: row.state,
    change: JSON.parse(row.change) as Recommendation['change'],
    evidence: JSON.parse(row.evidence) as Record<string, unknown>,
    expectedGain: JSON.parse(row.expected_gain) as Recommendation['expectedGain'],
    confidence: row.confidence,
    edit: row.edit ? (JSON.parse(row.edit) as SuggestedEdit) : null,
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
    const row = this.db.prepare('SELECT * FROM recommendations WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecommendation(row) : null;
  }

  list(filter: { state?: RecommendationState; worker?: string } = {}): Recommendation[] {
    const rows = this.db
      .prepare(`SELECT * FROM recommendations WHERE (? IS NULL OR state = ?) AND (? IS NULL OR worker = ?) ORDER BY created_at DESC, rowid DESC`)
      .all(filter.state ?? null, filter.state ?? null, filter.worker ?? null, filter.worker ?? null) as Row[];
    return rows.map(toRecommendation);
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
