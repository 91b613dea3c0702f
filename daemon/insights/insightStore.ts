// Analyses and the hypotheses they hand to the experiment pipeline, in `insight_analyses` and
// `insight_hypotheses`. An analysis and its hypotheses are written in one transaction, after the answer
// was complete and valid. A hypothesis's fate is read from the recommendation the cycle made for it.
import type Database from 'better-sqlite3';
import type { ProposedChange, RecommendationState } from '../../shared/domain';
import { INSIGHTS_OPTIMIZER, type InsightCategory } from '../../shared/http/insights';
import type { PrimaryMetric } from './hypothesisChange';

export interface HypothesisRow {
  id: string;
  analysisId: string;
  worker: string;
  category: InsightCategory;
  title: string;
  change: ProposedChange;
  override: { model?: string; max_tokens?: number; temperature?: number };
  expectedGain: { metric: PrimaryMetric; relative: number; description: string };
  evidence: Record<string, unknown>;
  confidence: number;
  createdAt: number;
}

export type HypothesisState = 'pending' | 'superseded' | 'testing' | 'shipped' | 'rejected' | 'open';

export interface HypothesisStatus extends HypothesisRow {
  state: HypothesisState;
  recommendationId: string | null;
}

export interface AnalysisRow {
  id: string;
  worker: string;
  source: 'model' | 'rules';
  model: string | null;
  callId: string | null;
  statistics: unknown;
  result: unknown;
  createdAt: number;
}

interface StoredRow {
  id: string;
  analysis_id: string;
  worker: string;
  category: InsightCategory;
  title: string;
  change: string;
  override: string;
  expected_gain: string;
  evidence: string;
  confidence: number;
  state: 'pending' | 'superseded';
  created_at: number;
  rec_id: string | null;
  rec_state: RecommendationState | null;
}

/** What a hypothesis became, from its recommendation's state. */
export function stateFromRecommendation(stored: 'pending' | 'superseded', recState: RecommendationState | null): HypothesisState {
  if (recState === null) return stored;
  if (recState === 'testing') return 'testing';
  if (recState === 'applied' || recState === 'accepted') return 'shipped';
  if (recState === 'open') return 'open';
  return 'rejected';
}

const SELECT = `
  SELECT h.*, r.id AS rec_id, r.state AS rec_state
  FROM insight_hypotheses h
  LEFT JOIN recommendations r ON r.id = (
    SELECT r2.id FROM recommendations r2
    WHERE r2.optimizer = '${INSIGHTS_OPTIMIZER}' AND r2.worker = h.worker AND json_extract(r2.evidence, '$.hypothesis_id') = h.id
    ORDER BY r2.created_at DESC LIMIT 1)`;

function toStatus(row: StoredRow): HypothesisStatus {
  return {
    id: row.id,
    analysisId: row.analysis_id,
    worker: row.worker,
    category: row.category,
    title: row.title,
    change: JSON.parse(row.change) as ProposedChange,
    override: JSON.parse(row.override) as HypothesisRow['override'],
    expectedGain: JSON.parse(row.expected_gain) as HypothesisRow['expectedGain'],
    evidence: JSON.parse(row.evidence) as Record<string, unknown>,
    confidence: row.confidence,
    createdAt: row.created_at,
    state: stateFromRecommendation(row.state, row.rec_state),
    recommendationId: row.rec_id,
  };
}

export class InsightStore {
  constructor(private readonly db: Database.Database) {}

  /**
   * Stores an analysis with its hypotheses at once; the worker's earlier hypotheses that no cycle has
   * taken up yet are superseded by the newer analysis.
   */
  saveAnalysis(analysis: AnalysisRow, hypotheses: readonly HypothesisRow[]): void {
    const insertAnalysis = this.db.prepare(
      'INSERT INTO insight_analyses (id, worker, source, model, call_id, statistics, result, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertHypothesis = this.db.prepare(
      `INSERT INTO insight_hypotheses (id, analysis_id, worker, category, title, change, override, expected_gain, evidence, confidence, state, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    );
    this.db.transaction(() => {
      for (const earlier of this.pending().filter((h) => h.worker === analysis.worker)) {
        this.db.prepare(`UPDATE insight_hypotheses SET state = 'superseded', updated_at = ? WHERE id = ?`).run(analysis.createdAt, earlier.id);
      }
      insertAnalysis.run(analysis.id, analysis.worker, analysis.source, analysis.model, analysis.callId, JSON.stringify(analysis.statistics), JSON.stringify(analysis.result), analysis.createdAt);
      for (const h of hypotheses) {
        insertHypothesis.run(h.id, analysis.id, h.worker, h.category, h.title, JSON.stringify(h.change), JSON.stringify(h.override), JSON.stringify(h.expectedGain), JSON.stringify(h.evidence), h.confidence, h.createdAt, h.createdAt);
      }
    })();
  }

  /** Hypotheses no optimization cycle has taken up yet, oldest first. */
  pending(): HypothesisStatus[] {
    return (this.db.prepare(`${SELECT} WHERE h.state = 'pending' ORDER BY h.created_at ASC, h.rowid ASC`).all() as StoredRow[]).map(toStatus).filter((h) => h.recommendationId === null);
  }

  list(filter: { worker?: string } = {}): HypothesisStatus[] {
    const rows = this.db.prepare(`${SELECT} WHERE (? IS NULL OR h.worker = ?) ORDER BY h.created_at DESC, h.rowid DESC`).all(filter.worker ?? null, filter.worker ?? null) as StoredRow[];
    return rows.map(toStatus);
  }

  get(id: string): HypothesisStatus | null {
    const row = this.db.prepare(`${SELECT} WHERE h.id = ?`).get(id) as StoredRow | undefined;
    return row ? toStatus(row) : null;
  }

  countAnalyses(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM insight_analyses').get() as { n: number }).n;
  }

  latestAnalysis(worker: string): AnalysisRow | null {
    const row = this.db.prepare('SELECT * FROM insight_analyses WHERE worker = ? ORDER BY created_at DESC, rowid DESC LIMIT 1').get(worker) as
      | { id: string; worker: string; source: 'model' | 'rules'; model: string | null; call_id: string | null; statistics: string; result: string; created_at: number }
      | undefined;
    if (!row) return null;
    return { id: row.id, worker: row.worker, source: row.source, model: row.model, callId: row.call_id, statistics: JSON.parse(row.statistics) as unknown, result: JSON.parse(row.result) as unknown, createdAt: row.created_at };
  }
}
