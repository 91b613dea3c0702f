// Experiments and their samples in `experiments` / `experiment_samples`.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ExperimentObservation } from './stats';

export type ExperimentKind = 'replay' | 'split' | 'bandit';
export type ExperimentState = 'running' | 'shipped' | 'rejected' | 'stopped';

export interface ExperimentRow {
  id: string;
  recommendationId: string | null;
  kind: ExperimentKind;
  worker: string | null;
  state: ExperimentState;
  control: Record<string, unknown>;
  treatment: Record<string, unknown>;
  result: Record<string, unknown> | null;
  spentUsd: number;
  startedAt: number;
  endedAt: number | null;
}

export interface SampleInput extends ExperimentObservation {
  arm: 'control' | 'treatment';
  pairKey?: string | null;
  callId?: string | null;
}

interface Raw {
  id: string;
  recommendation_id: string | null;
  kind: ExperimentKind;
  worker: string | null;
  state: ExperimentState;
  control: string;
  treatment: string;
  result: string | null;
  spent_usd: number;
  started_at: number;
  ended_at: number | null;
}

function toRow(r: Raw): ExperimentRow {
  return {
    id: r.id,
    recommendationId: r.recommendation_id,
    kind: r.kind,
    worker: r.worker,
    state: r.state,
    control: JSON.parse(r.control) as Record<string, unknown>,
    treatment: JSON.parse(r.treatment) as Record<string, unknown>,
    result: r.result ? (JSON.parse(r.result) as Record<string, unknown>) : null,
    spentUsd: r.spent_usd,
    startedAt: r.started_at,
    endedAt: r.ended_at,
  };
}

export class ExperimentStore {
  constructor(private readonly db: Database.Database) {}

  create(input: { kind: ExperimentKind; worker: string | null; recommendationId: string | null; control: Record<string, unknown>; treatment: Record<string, unknown> }, at = Date.now()): ExperimentRow {
    const id = `exp_${randomUUID()}`;
    this.db
      .prepare(`INSERT INTO experiments (id, recommendation_id, kind, worker, state, control, treatment, result, spent_usd, started_at, ended_at) VALUES (?, ?, ?, ?, 'running', ?, ?, NULL, 0, ?, NULL)`)
      .run(id, input.recommendationId, input.kind, input.worker, JSON.stringify(input.control), JSON.stringify(input.treatment), at);
    return this.get(id) as ExperimentRow;
  }

  get(id: string): ExperimentRow | null {
    const raw = this.db.prepare('SELECT * FROM experiments WHERE id = ?').get(id) as Raw | undefined;
    return raw ? toRow(raw) : null;
  }

  list(filter: { state?: ExperimentState; kind?: ExperimentKind } = {}): ExperimentRow[] {
    return (
      this.db
        .prepare('SELECT * FROM experiments WHERE (? IS NULL OR state = ?) AND (? IS NULL OR kind = ?) ORDER BY started_at DESC, rowid DESC')
        .all(filter.state ?? null, filter.state ?? null, filter.kind ?? null, filter.kind ?? null) as Raw[]
    ).map(toRow);
  }

  addSamples(experimentId: string, samples: readonly SampleInput[], at = Date.now()): void {
    const insert = this.db.prepare(
      'INSERT INTO experiment_samples (experiment_id, arm, pair_key, call_id, cost_usd, latency_ms, quality, success, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const s of samples) insert.run(experimentId, s.arm, s.pairKey ?? null, s.callId ?? null, s.cost, s.latencyMs, s.quality, s.success ? 1 : 0, at);
    })();
  }

  samples(experimentId: string): Array<SampleInput & { at: number }> {
    return (
      this.db.prepare('SELECT arm, pair_key, call_id, cost_usd, latency_ms, quality, success, at FROM experiment_samples WHERE experiment_id = ? ORDER BY id').all(experimentId) as Array<{
        arm: 'control' | 'treatment';
        pair_key: string | null;
        call_id: string | null;
        cost_usd: number | null;
        latency_ms: number | null;
        quality: number | null;
        success: number;
        at: number;
      }>
    ).map((r) => ({ arm: r.arm, pairKey: r.pair_key, callId: r.call_id, cost: r.cost_usd ?? 0, latencyMs: r.latency_ms ?? 0, quality: r.quality ?? 0, success: r.success === 1, at: r.at }));
  }

  finish(id: string, state: ExperimentState, result: Record<string, unknown>, spentUsd: number, at = Date.now()): ExperimentRow {
    this.db.prepare('UPDATE experiments SET state = ?, result = ?, spent_usd = ?, ended_at = ? WHERE id = ?').run(state, JSON.stringify(result), spentUsd, at, id);
    return this.get(id) as ExperimentRow;
  }

  updateResult(id: string, result: Record<string, unknown>, spentUsd?: number): void {
    this.db.prepare('UPDATE experiments SET result = ?, spent_usd = COALESCE(?, spent_usd) WHERE id = ?').run(JSON.stringify(result), spentUsd ?? null, id);
  }
}
