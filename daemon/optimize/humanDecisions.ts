// Human decisions through the API: accept or dismiss a recommendation, roll back an applied one.
import type { Recommendation } from '../../shared/domain';
import { HttpError } from '../server/httpError';
import { applyRecommendation } from './applyRecommendation';
import { logDecision } from './decisionLog';
import type { OptimizeEngine } from './engine';
import { rollBack, watchOf } from './watchCycle';

export function acceptRecommendation(engine: OptimizeEngine, id: string, reason?: string): Recommendation {
  const rec = engine.recommendations.get(id);
  if (!rec) throw new HttpError(404, 'not_found', `no recommendation with id "${id}"`);
  if (!['open', 'rejected', 'dismissed', 'rolled_back'].includes(rec.state)) {
    throw new HttpError(409, 'conflict', `recommendation is ${rec.state}; only open, rejected, dismissed or rolled-back ones can be accepted`);
  }
  return applyRecommendation(engine, rec, 'human', reason ?? 'accepted by a human');
}

export function dismissRecommendation(engine: OptimizeEngine, id: string, reason?: string): Recommendation {
  const rec = engine.recommendations.get(id);
  if (!rec) throw new HttpError(404, 'not_found', `no recommendation with id "${id}"`);
  if (rec.state !== 'open' && rec.state !== 'testing') throw new HttpError(409, 'conflict', `recommendation is ${rec.state}; only open or testing ones can be dismissed`);
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
