// The AI insights API: analyse one worker's performance, and list the hypotheses analyses handed to
// the experiment pipeline with what became of each.
import type { FastifyInstance } from 'fastify';
import { analyzeWorkerRequestSchema } from '../../shared/http/insights';
import type { DaemonContext } from '../daemonContext';
import { readJson } from '../server/routes/nativeRoutes';
import { analyzeWorkerPerformance } from './analyzeWorker';
import { InsightStore } from './insightStore';

export function registerInsightsRoutes(app: FastifyInstance, ctx: DaemonContext): void {
  app.post('/v1/analyze/worker-performance', async (request) => {
    const body = await readJson(ctx, request.body, request.headers['content-encoding'], analyzeWorkerRequestSchema);
    return analyzeWorkerPerformance(ctx, body);
  });

  app.get<{ Querystring: { worker?: string } }>('/v1/analyze/hypotheses', async (request) => ({
    hypotheses: new InsightStore(ctx.db).list({ worker: request.query.worker || undefined }),
  }));
}
