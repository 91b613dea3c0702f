// Human decisions through the API: accept or dismiss a recommendation, roll back an applied one.
import type { Recommendation } from '../../shared/domain';
import { HttpError } from '../server/httpError';
import { applyRecommendation } from './applyRecommendation';
import { logDecision } from './decisionLog';
import type { OptimizeEngine } from './engine';
import { rollBack, watchOf } from './watchCycle';

/** States a human may accept a recommendation from (the dashboard and the editor offer Apply on these). */
export const ACCEPTABLE_STATES: ReadonlySet<string> = new Set(['open', 'testing', 'rejected', 'dismissed', 'rolled_back']);
/** States a human may dismiss a recommendation from. */
export const DISMISSABLE_STATES: ReadonlySet<string> = new Set(['open', 'testing']);

export function acceptRecommendation(engine: OptimizeEngine, id: string, reason?: string): Recommendation {
  const rec = engine.recommendations.get(id);
  if (!rec) throw new HttpError(404, 'not_found', `no recommendation with id "${id}"`);
  if (!ACCEPTABLE_STATES.has(rec.state)) {
    throw new HttpError(409, 'conflict', `recommendation is ${rec.state}; only open, testing, rejected, dismissed or rolled-back ones can be accepted`);
  }
  // A human decides before the experiment does: the experiment stops and the change applies.
  stopRunningExperiment(engine, rec, 'accepted by a human before the experiment finished');
  return applyRecommendation(engine, rec, 'human', reason ?? 'accepted by a human');
}

/**
 * Stops the live split a recommendation is being tested by: the split leaves the worker's proxy
 * override (the rest of the override stays) and the experiment is recorded as stopped.
 */
function stopRunningExperiment(engine: OptimizeEngine, rec: Recommendation, why: string): void {
  if (!rec.experimentId) return;
  const experiment = engine.experiments.get(rec.experimentId);
  if (!experiment || experiment.state !== 'running') return;
  if (experiment.kind === 'split' && experiment.worker) {
    engine.overrides.set(experiment.worker, { set: { split: null }, replace: false, set_by: 'human', reason: `live split ${experiment.id} stopped: ${why}` });
  }
  engine.experiments.finish(experiment.id, 'stopped', { ...(experiment.result ?? {}), stopped: why }, experiment.spentUsd ?? 0);
}

export function dismissRecommendation(engine: OptimizeEngine, id: string, reason?: string): Recommendation {
  const rec = engine.recommendations.get(id);
  if (!rec) throw new HttpError(404, 'not_found', `no recommendation with id "${id}"`);
  if (!DISMISSABLE_STATES.has(rec.state)) throw new HttpError(409, 'conflict', `recommendation is ${rec.state}; only open or testing ones can be dismissed`);
  stopRunningExperiment(engine, rec, 'dismissed by a human');
  const updated = engine.recommendations.update(id, { state: 'dismissed' });
  logDecision(engine.ctx.db, { actor: 'human', action: 'dismiss', recommendationId: id, experimentId: rec.experimentId, worker: rec.worker, summary: `dismissed "${rec.title}"${reason ? `: ${reason}` : ''}`, evidence: { reason: reason ?? null, confidence: rec.confidence } });
  return updated;
}

/** Rolls back the given applied recommendation, or the most recently applied one. */
export function rollbackApplied(engine: OptimizeEngine, id: string | undefined, reason?: string): Recommendation {
  const candidates = engine.recommendations.list({ state: 'applied' }).filter((r) => watchOf(r) !== null);
  const rec = id ? candidates.find((r) => r.id === id) : candidates.sort((a, b) => (watchOf(b)?.applied.at ?? 0) - (watchOf(a)?.applied.at ?? 0))[0];
  if (!rec) throw new HttpError(404, 'not_found', id ? `recommendation "${id}" is not an applied live change` : 'no applied change to roll back');
  rollBack(engine, rec, 'human', reason ?? 'rolled back by a human', {});
  return engine.recommendations.get(rec.id) as Recommendation;
}
