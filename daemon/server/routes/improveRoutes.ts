// The improve API: run a cycle, list and decide recommendations, roll back, the decision log (JSON
// and markdown), experiments, feedback patterns, and the evolution report (JSON and HTML).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { RecommendationState } from '../../../shared/domain';
import { humanDecisionSchema, rollbackRequestSchema } from '../../../shared/http/optimize';
import type { DaemonContext } from '../../daemonContext';
import { runCycle, type CycleReport } from '../../optimize/cycle';
import { decisionsMarkdown, listDecisions } from '../../optimize/decisionLog';
import { engineFor, existingEngine } from '../../optimize/engine';
import { feedbackPatterns, scoredOutputs } from '../../optimize/feedbackPatterns';
import { acceptRecommendation, dismissRecommendation, rollbackApplied } from '../../optimize/humanDecisions';
import { evolutionReport } from '../../optimize/report/evolutionReport';
import { renderHtmlReport } from '../../optimize/report/htmlReport';
import { HttpError } from '../httpError';
import { readJson } from './nativeRoutes';

const STATES: RecommendationState[] = ['open', 'testing', 'applied', 'accepted', 'dismissed', 'rejected', 'rolled_back'];

async function optionalJson<T extends z.ZodType>(ctx: DaemonContext, request: FastifyRequest, schema: T): Promise<z.output<T>> {
  const body = Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : Buffer.from('{}');
  return readJson(ctx, body, Buffer.isBuffer(request.body) && request.body.length > 0 ? request.headers['content-encoding'] : undefined, schema);
}

/** Runs one cycle unless one is running (then the caller waits for that one's result). */
export async function optimizeOnce(ctx: DaemonContext): Promise<CycleReport> {
  const engine = engineFor(ctx);
  if (engine.running) return (await engine.running) as CycleReport;
  let lastStage = '';
  const run = runCycle(engine, (stage, done, total) => {
    engine.progress = { stage, done, total, at: Date.now() };
    if (stage !== lastStage) ctx.logger.info(`optimize: ${stage}`, { done, total });
    lastStage = stage;
  });
  engine.running = run;
  try {
    return await run;
  } finally {
    engine.running = null;
    engine.progress = null;
  }
}

export function registerImproveRoutes(app: FastifyInstance, ctx: DaemonContext): void {
  app.post('/v1/optimize', async () => optimizeOnce(ctx));

  app.get('/v1/optimize/progress', async () => {
    const engine = engineFor(ctx);
    return { running: engine.running !== null, progress: engine.progress };
  });

  app.get<{ Querystring: { state?: string; worker?: string } }>('/v1/recommendations', async (request) => {
    const state = request.query.state as RecommendationState | undefined;
    if (state !== undefined && !STATES.includes(state)) throw new HttpError(400, 'invalid_request_error', `state must be one of ${STATES.join(', ')}`);
    return { recommendations: engineFor(ctx).recommendations.list({ state, worker: request.query.worker || undefined }) };
  });

  app.get<{ Params: { id: string } }>('/v1/recommendations/:id', async (request) => {
    const rec = engineFor(ctx).recommendations.get(request.params.id);
    if (!rec) throw new HttpError(404, 'not_found', `no recommendation with id "${request.params.id}"`);
    return { recommendation: rec };
  });

  app.post<{ Params: { id: string } }>('/v1/recommendations/:id/accept', async (request) => {
    const body = await optionalJson(ctx, request, humanDecisionSchema);
    return { recommendation: acceptRecommendation(engineFor(ctx), request.params.id, body.reason) };
  });

  app.post<{ Params: { id: string } }>('/v1/recommendations/:id/dismiss', async (request) => {
    const body = await optionalJson(ctx, request, humanDecisionSchema);
    return { recommendation: dismissRecommendation(engineFor(ctx), request.params.id, body.reason) };
  });

  app.post('/v1/rollback', async (request) => {
    const body = await optionalJson(ctx, request, rollbackRequestSchema);
    return { recommendation: rollbackApplied(engineFor(ctx), body.recommendation_id, body.reason) };
  });

  app.get<{ Querystring: { since?: string; limit?: string } }>('/v1/decisions', async (request) => ({
    decisions: listDecisions(ctx.db, { since: Number(request.query.since ?? 0) || 0, limit: Number(request.query.limit ?? 10_000) || 10_000 }),
  }));

  app.get('/v1/decisions.md', async (_request, reply) => reply.type('text/markdown; charset=utf-8').send(decisionsMarkdown(listDecisions(ctx.db))));

  app.get<{ Querystring: { state?: string } }>('/v1/experiments', async (request) => ({
    experiments: engineFor(ctx).experiments.list({ state: (request.query.state as 'running' | undefined) || undefined }),
  }));

  app.get<{ Querystring: { worker?: string; since?: string } }>('/v1/feedback/patterns', async (request) => ({
    patterns: feedbackPatterns(scoredOutputs(ctx.db, Number(request.query.since ?? 0) || 0, request.query.worker || undefined)),
  }));

  app.get('/v1/report', async () => evolutionReport(ctx.db));

  app.get('/v1/report.html', async (_request, reply) => reply.type('text/html; charset=utf-8').send(renderHtmlReport(evolutionReport(ctx.db))));

  // A cycle in flight finishes before the store closes.
  app.addHook('onClose', async () => {
    await existingEngine(ctx)?.running?.catch(() => undefined);
  });

  const minutes = ctx.config.optimize.schedule_minutes;
  if (minutes > 0) {
    const timer = setInterval(() => {
      optimizeOnce(ctx).catch((error: unknown) => ctx.logger.error('scheduled optimization cycle failed', { error: (error as Error).message }));
    }, minutes * 60_000);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }
}
