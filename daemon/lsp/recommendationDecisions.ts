// A human's decision on a recommendation, from a quick fix in the editor. The optimizer owns the
// lifecycle and its HTTP routes (POST /v1/recommendations/:id/accept|dismiss); the language server
// goes through those routes in-process so there is one code path. Until they exist, it records the
// decision itself: the new state and a decision-log entry with actor "human".
import type { FastifyInstance } from 'fastify';
import type { RecommendationDecisionResult } from '../../shared/protocol';
import type { DaemonContext } from '../daemonContext';
import { daemonEvents } from '../events';
import { TOKEN_HEADER } from '../server/requestGuard';
import { readRecommendation } from './storeFacts';

export type HumanDecision = 'accept' | 'dismiss';

const STATE_AFTER: Record<HumanDecision, 'accepted' | 'dismissed'> = { accept: 'accepted', dismiss: 'dismissed' };
const DECIDABLE_STATES = new Set(['open', 'testing']);

export async function decideRecommendation(
  app: FastifyInstance,
  ctx: DaemonContext,
  id: string,
  decision: HumanDecision,
  reason?: string,
): Promise<RecommendationDecisionResult> {
  const response = await app.inject({
    method: 'POST',
    url: `/v1/recommendations/${encodeURIComponent(id)}/${decision}`,
    headers: { host: `127.0.0.1:${ctx.port}`, [TOKEN_HEADER]: ctx.token, 'content-type': 'application/json' },
    payload: JSON.stringify(reason ? { reason } : {}),
  });
  if (response.statusCode < 300) {
    ctx.logger.info(`recommendation ${id}: ${decision} by a human (editor)`);
    daemonEvents(ctx).emit('recommendationsChanged', { recommendationIds: [id] });
    return { ok: true, state: readRecommendation(ctx.db, id)?.state ?? STATE_AFTER[decision], message: decision === 'accept' ? 'Accepted' : 'Dismissed' };
  }
  const routeMissing = response.statusCode === 404 && /no route for/.test(response.body);
  if (!routeMissing) {
    return { ok: false, state: readRecommendation(ctx.db, id)?.state ?? null, message: errorMessage(response.body, response.statusCode) };
  }
  return recordDecision(ctx, id, decision, reason);
}

/** The fallback: the state change and the decision-log entry in one transaction. */
export function recordDecision(ctx: DaemonContext, id: string, decision: HumanDecision, reason?: string): RecommendationDecisionResult {
  const recommendation = readRecommendation(ctx.db, id);
  if (!recommendation) return { ok: false, state: null, message: `no recommendation ${id}` };
  if (!DECIDABLE_STATES.has(recommendation.state)) {
    return { ok: false, state: recommendation.state, message: `recommendation ${id} is already ${recommendation.state}` };
  }
  const now = Date.now();
  const state = STATE_AFTER[decision];
  ctx.db.transaction(() => {
    ctx.db.prepare(`UPDATE recommendations SET state = ?, updated_at = ? WHERE id = ?`).run(state, now, id);
    ctx.db
      .prepare(
        `INSERT INTO decisions (at, actor, action, recommendation_id, experiment_id, worker, summary, evidence)
         VALUES (?, 'human', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        now,
        decision,
        id,
        recommendation.experimentId,
        recommendation.worker,
        `${decision === 'accept' ? 'accepted in the editor' : 'dismissed in the editor'}: ${recommendation.title}`,
        JSON.stringify({ source: 'editor', ...(reason ? { reason } : {}), change: recommendation.change, confidence: recommendation.confidence }),
      );
  })();
  ctx.logger.info(`recommendation ${id}: ${decision} by a human (editor)`);
  daemonEvents(ctx).emit('recommendationsChanged', { recommendationIds: [id] });
  return { ok: true, state, message: decision === 'accept' ? 'Accepted' : 'Dismissed' };
}

function errorMessage(body: string, status: number): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } };
    if (parsed.error?.message) return parsed.error.message;
  } catch {
    // not JSON
  }
  return `the daemon answered ${status}`;
}
