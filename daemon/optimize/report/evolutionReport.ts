// The evolution report of DESIGN.md, computed from the data: performance before the first change
// against the performance under the current configuration, each applied improvement with what it
// was learned from, autonomous decisions against human ones, learning cycles and money saved.
import type Database from 'better-sqlite3';
import type { DecisionLogEntry, Recommendation } from '../../../shared/domain';
import { listDecisions } from '../decisionLog';
import { RecommendationStore } from '../recommendationStore';
import { performanceOf, runPoints, type Performance, type RunPoint } from './runPoints';

export interface Improvement {
  type: string;
  impact: string;
  learned_from: string;
}

export interface EvolutionReport {
  system_evolution: {
    initial_performance: Performance;
    current_performance: Performance;
    improvements_applied: Improvement[];
    autonomous_decisions: number;
    human_interventions: number;
    learning_cycles: number;
    cost_savings: string;
  };
  details: {
    generated_at: number;
    runs: number;
    initial_window: { runs: number; from: number | null; to: number | null };
    current_window: { runs: number; from: number | null; to: number | null };
    cost_savings_usd: number;
    replay_spent_usd: number;
    series: Array<{ at: number; cost: number; duration_s: number; quality: number | null }>;
    events: Array<{ at: number; action: string; actor: string; summary: string }>;
    learning_curve: Array<{ cycle: number; at: number; quality: number | null; cost_per_content: number | null; runs: number }>;
    improvements: Array<Improvement & { title: string; worker: string | null; state: string; prompt?: string }>;
    decisions: DecisionLogEntry[];
  };
}

const CHANGE_ACTIONS = new Set(['apply', 'rollback', 'bandit_update', 'bandit_rollback', 'bandit_start']);

function pct(x: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%`;
}

export function impactOf(rec: Recommendation): string {
  const watch = rec.evidence.watch as { verdict?: string; changes?: Record<string, number | null> } | undefined;
  const parts: string[] = [];
  if (watch?.verdict === 'held' && watch.changes) {
    const c = watch.changes;
    if (typeof c.cost === 'number') parts.push(`cost per call ${pct(c.cost)}`);
    if (typeof c.latency === 'number') parts.push(`latency ${pct(c.latency)}`);
    if (typeof c.quality === 'number') parts.push(`quality ${c.quality >= 0 ? '+' : '−'}${Math.abs(c.quality).toFixed(3)}`);
    return `measured after applying: ${parts.join(', ')}`;
  }
  const test = rec.evidence.test_result as { method?: string | null; verdict?: string; samples?: number } | undefined;
  if (test?.method === 'replay' || test?.method === 'split') return `${rec.expectedGain.description} (tested: ${test.method}, ${test.samples ?? 0} samples; watching)`;
  return `${rec.expectedGain.description} (watching)`;
}

export function learnedFrom(rec: Recommendation): string {
  const test = rec.evidence.test_result as { method?: string | null; samples?: number; confidence?: number } | undefined;
  const e = rec.evidence;
  const conf = test?.confidence !== undefined ? `, confidence ${test.confidence.toFixed(3)}` : '';
  if (rec.optimizer === 'feedback_bandit') return `feedback on ${String(e.scored_calls ?? '?')} scored calls (Thompson sampling over ${String(e.cycles ?? '?')} cycles)`;
  if (test?.method === 'replay') return `paired replay of ${test.samples ?? 0} recorded inputs under both settings${conf} (${rec.experimentId ?? ''})`;
  if (test?.method === 'split') return `live split of ${test.samples ?? 0} runs per arm through the proxy${conf} (${rec.experimentId ?? ''})`;
  if (rec.optimizer === 'caching') return `measured duplicate rate ${(Number(e.duplicate_rate) * 100).toFixed(1)}% over ${String(e.requests)} requests${conf}`;
  if (rec.optimizer === 'max_tokens') return `output lengths of ${String(e.natural_outputs)} calls (natural p99 ${String(e.natural_p99_tokens)} tokens, ${String(e.length_stops)} runaway outputs)${conf}`;
  if (rec.optimizer === 'parallelize') return `trace structure of ${String(e.runs_with_both)} runs`;
  return `measurements of ${String(e.calls ?? '?')} calls${conf}`;
}

function windowOf(points: readonly RunPoint[]) {
  return { runs: points.length, from: points[0]?.startedAt ?? null, to: points.at(-1)?.startedAt ?? null };
}

function downsample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return items.slice();
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)]);
}

export function evolutionReport(db: Database.Database, now = Date.now()): EvolutionReport {
  const points = runPoints(db);
  const decisions = listDecisions(db);
  const changes = decisions.filter((d) => d.action === 'apply' || d.action === 'rollback' || d.action === 'bandit_update' || d.action === 'bandit_rollback');
  const firstChange = changes[0]?.at ?? null;
  const lastChange = changes.at(-1)?.at ?? null;
  const initial = firstChange === null ? points.slice(0, Math.max(1, Math.floor(points.length / 3))) : points.filter((p) => p.startedAt < firstChange).slice(0, 500);
  let current = lastChange === null ? points.slice(-Math.max(1, Math.floor(points.length / 3))) : points.filter((p) => p.startedAt >= lastChange);
  if (current.length < 10) current = points.slice(-Math.max(10, Math.floor(points.length / 5)));
  const initialPerf = performanceOf(initial);
  const currentPerf = performanceOf(current);
  const after = firstChange === null ? [] : points.filter((p) => p.startedAt >= firstChange);
  const savedUsd = after.length > 0 ? initialPerf.cost_per_content * after.length - after.reduce((s, p) => s + p.costUsd, 0) : 0;
  const replaySpent = (db.prepare('SELECT COALESCE(SUM(spent_usd), 0) AS s FROM experiments').get() as { s: number }).s;
  const recs = new RecommendationStore(db).list().filter((r) => r.state === 'applied' || r.state === 'accepted').reverse();
  const improvements = recs.map((rec) => ({
    type: `${rec.optimizer}: ${rec.change.kind}`,
    impact: impactOf(rec),
    learned_from: learnedFrom(rec),
    title: rec.title,
    worker: rec.worker,
    state: rec.state,
    ...(typeof rec.evidence.compressed_prompt === 'string' ? { prompt: rec.evidence.compressed_prompt } : {}),
  }));
  const cycles = decisions.filter((d) => d.action === 'cycle');
  const curve = cycles.map((c, i) => {
    const from = i === 0 ? 0 : cycles[i - 1].at;
    const slice = points.filter((p) => p.startedAt >= from && p.startedAt < c.at);
    const perf = performanceOf(slice);
    return { cycle: i + 1, at: c.at, quality: slice.some((p) => p.quality !== null) ? perf.quality_score : null, cost_per_content: slice.length > 0 ? perf.cost_per_content : null, runs: slice.length };
  });
  const costDelta = initialPerf.cost_per_content > 0 ? currentPerf.cost_per_content / initialPerf.cost_per_content - 1 : 0;
  return {
    system_evolution: {
      initial_performance: initialPerf,
      current_performance: currentPerf,
      improvements_applied: improvements.map(({ type, impact, learned_from }) => ({ type, impact, learned_from })),
      autonomous_decisions: decisions.filter((d) => d.actor === 'flowtune' && d.action !== 'cycle').length,
      human_interventions: decisions.filter((d) => d.actor === 'human').length,
      learning_cycles: cycles.length,
      cost_savings:
        firstChange === null
          ? '$0.00 (no change applied yet)'
          : `$${savedUsd.toFixed(4)} saved over ${after.length} runs since the first change (cost per content ${pct(costDelta)}: $${initialPerf.cost_per_content.toFixed(6)} → $${currentPerf.cost_per_content.toFixed(6)}); replays spent $${replaySpent.toFixed(4)}`,
    },
    details: {
      generated_at: now,
      runs: points.length,
      initial_window: windowOf(initial),
      current_window: windowOf(current),
      cost_savings_usd: savedUsd,
      replay_spent_usd: replaySpent,
      series: downsample(points, 400).map((p) => ({ at: p.startedAt, cost: p.costUsd, duration_s: p.durationMs / 1000, quality: p.quality })),
      events: decisions.filter((d) => CHANGE_ACTIONS.has(d.action)).map((d) => ({ at: d.at, action: d.action, actor: d.actor, summary: d.summary })),
      learning_curve: curve,
      improvements,
      decisions: decisions.filter((d) => d.action !== 'cycle').slice(-200),
    },
  };
}
