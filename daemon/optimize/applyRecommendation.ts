// Putting a recommendation into effect (autonomously or on a human's accept): a live override with
// the window before it kept as the watch baseline, or — for edit-only changes — marked accepted.
import type { Recommendation } from '../../shared/domain';
import { applyOverride } from './applyChange';
import { logDecision } from './decisionLog';
import type { OptimizeEngine } from './engine';
import type { Proposal } from './optimizer';
import type { WatchRecord } from './watchCycle';
import { workerWindowMetrics } from './windowMetrics';

const BASELINE_WINDOW_MS = 24 * 3_600_000;

export function applyOf(rec: Recommendation): Proposal['apply'] {
  return (rec.evidence.apply as Proposal['apply'] | undefined) ?? {};
}

export function appliesLive(rec: Recommendation): boolean {
  return Boolean(applyOf(rec).override && rec.worker);
}

export function applyRecommendation(engine: OptimizeEngine, rec: Recommendation, actor: 'flowtune' | 'human', reason: string, evidence: Record<string, unknown> = {}): Recommendation {
  const apply = applyOf(rec);
  const now = Date.now();
  if (!apply.override || !rec.worker) {
    const updated = engine.recommendations.update(rec.id, { state: 'accepted' });
    logDecision(engine.ctx.db, { actor, action: 'accept', recommendationId: rec.id, experimentId: rec.experimentId, worker: rec.worker, summary: `accepted "${rec.title}" (an edit to make in code or config)`, evidence: { edit: rec.edit, ...evidence } });
    return updated;
  }
  // The baseline is the worker's traffic since its last applied change (not since any override write:
  // ending a split rewrites the override too, and the control arm is the right baseline then).
  const lastApplied = Math.max(0, ...engine.recommendations.list({ state: 'applied' }).filter((r) => r.worker === rec.worker).map((r) => (r.evidence.watch as WatchRecord | undefined)?.applied?.at ?? 0));
  const before = workerWindowMetrics(engine.ctx.db, rec.worker, Math.max(now - BASELINE_WINDOW_MS, lastApplied), now);
  const applied = applyOverride(engine.overrides, rec.worker, apply.override, { actor: actor === 'human' ? 'human' : 'flowtune', reason }, apply.promptVariant, now);
  const watch: WatchRecord = { applied, before, expectation: { metric: rec.expectedGain.metric, relative: rec.expectedGain.relative }, done: false };
  const updated = engine.recommendations.update(rec.id, { state: 'applied', evidence: { watch } });
  logDecision(engine.ctx.db, {
    actor,
    action: 'apply',
    recommendationId: rec.id,
    experimentId: rec.experimentId,
    worker: rec.worker,
    summary: `applied "${rec.title}" as a live proxy override (${Object.keys(apply.override).join(', ')}): ${reason}`,
    evidence: { override: apply.override, before_fields: applied.before, confidence: rec.confidence, ...evidence },
  });
  return updated;
}
