// The watch step of a cycle: every applied change with enough calls since is judged against the
// window before it; a regression is rolled back automatically and logged.
import type { Recommendation } from '../../shared/domain';
import { rollbackOverride, type AppliedOverride } from './applyChange';
import { logDecision } from './decisionLog';
import type { OptimizeEngine } from './engine';
import { judgeWatch, type WatchExpectation, type WindowMetrics } from './watchApplied';
import { workerWindowMetrics } from './windowMetrics';

export interface WatchRecord {
  applied: AppliedOverride;
  before: WindowMetrics;
  expectation: WatchExpectation;
  done: boolean;
  verdict?: string;
}

export function watchOf(rec: Recommendation): WatchRecord | null {
  const watch = rec.evidence.watch as WatchRecord | undefined;
  return watch && typeof watch === 'object' && watch.applied ? watch : null;
}

export interface WatchOutcome {
  recommendationId: string;
  worker: string;
  verdict: 'pending' | 'held' | 'regressed';
  reasons: string[];
}

export function rollBack(engine: OptimizeEngine, rec: Recommendation, actor: 'flowtune' | 'human', reason: string, evidence: Record<string, unknown>): void {
  const watch = watchOf(rec);
  if (!watch) throw new Error(`recommendation ${rec.id} has no applied override`);
  rollbackOverride(engine.overrides, watch.applied, { actor: actor === 'human' ? 'human' : 'flowtune', reason });
  engine.recommendations.update(rec.id, { state: 'rolled_back', evidence: { watch: { ...watch, done: true, verdict: 'rolled_back' }, rollback: { at: Date.now(), actor, reason, ...evidence } } });
  logDecision(engine.ctx.db, { actor, action: 'rollback', recommendationId: rec.id, experimentId: rec.experimentId, worker: rec.worker, summary: `rolled back "${rec.title}": ${reason}`, evidence });
}

export function watchAppliedChanges(engine: OptimizeEngine, now = Date.now()): WatchOutcome[] {
  const outcomes: WatchOutcome[] = [];
  const { policy, optimize } = engine.ctx.config;
  for (const rec of engine.recommendations.list({ state: 'applied' })) {
    const watch = watchOf(rec);
    if (!watch || watch.done || !rec.worker) continue;
    const after = workerWindowMetrics(engine.ctx.db, rec.worker, watch.applied.at, now);
    const verdict = judgeWatch(watch.before, after, watch.expectation, { minCalls: optimize.watch_min_calls, qualityMargin: policy.quality_margin });
    outcomes.push({ recommendationId: rec.id, worker: rec.worker, verdict: verdict.verdict, reasons: verdict.reasons });
    if (verdict.verdict === 'regressed') {
      rollBack(engine, rec, 'flowtune', `regression after apply: ${verdict.reasons.join('; ')}`, { before: watch.before, after, changes: verdict.changes });
    } else if (verdict.verdict === 'held') {
      engine.recommendations.update(rec.id, { evidence: { watch: { ...watch, done: true, verdict: 'held', after, changes: verdict.changes } } });
      logDecision(engine.ctx.db, {
        actor: 'flowtune',
        action: 'keep',
        recommendationId: rec.id,
        experimentId: rec.experimentId,
        worker: rec.worker,
        summary: `kept "${rec.title}": ${after.calls} calls since, no regression (cost ${fmt(verdict.changes.cost)}, latency ${fmt(verdict.changes.latency)})`,
        evidence: { before: watch.before, after, changes: verdict.changes },
      });
    }
  }
  return outcomes;
}

function fmt(x: number | null | undefined): string {
  return x === null || x === undefined ? 'n/a' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
}
