// The control API read by the editor, the dashboard and scripts.
import type { FastifyInstance } from 'fastify';
import type { DaemonContext } from '../../daemonContext';
import { recentCalls, workerTimeSeries, type AggregateGrouping } from '../../store/workerQueries';
import { computeWorkerMetrics } from '../../watch/workerMetrics';
import { HttpError } from '../httpError';

const DAY_MS = 86_400_000;

function numberParam(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new HttpError(400, 'invalid_request_error', `query parameter ${name} must be a number`);
  return parsed;
}

export function registerControlRoutes(app: FastifyInstance, ctx: DaemonContext): void {
  app.get('/v1/health', async () => ({
    ok: true,
    pid: process.pid,
    port: ctx.port,
    version: ctx.version,
    data_dir: ctx.dataDir,
    schema_version: ctx.schemaVersion,
    uptime_s: Math.round((Date.now() - ctx.startedAt) / 1000),
    upstream: ctx.upstream,
    config_error: ctx.configError,
  }));

  app.get<{ Querystring: { since?: string; until?: string; group?: string } }>('/v1/workers', async (request) => {
    const until = numberParam(request.query.until, Date.now() + 1, 'until');
    const since = numberParam(request.query.since, until - 7 * DAY_MS, 'since');
    const group = (request.query.group ?? 'worker_model_prompt') as AggregateGrouping;
    if (!['worker', 'worker_model', 'worker_model_prompt'].includes(group)) {
      throw new HttpError(400, 'invalid_request_error', 'group must be worker, worker_model or worker_model_prompt');
    }
    return { since, until, workers: computeWorkerMetrics(ctx.db, { since, until }, group) };
  });

  app.get<{ Params: { worker: string }; Querystring: { since?: string; until?: string; bucket_ms?: string } }>(
    '/v1/workers/:worker/series',
    async (request) => {
      const until = numberParam(request.query.until, Date.now() + 1, 'until');
      const since = numberParam(request.query.since, until - DAY_MS, 'since');
      const bucketMs = numberParam(request.query.bucket_ms, 3_600_000, 'bucket_ms');
      if (bucketMs <= 0) throw new HttpError(400, 'invalid_request_error', 'bucket_ms must be positive');
      if ((until - since) / bucketMs > 10_000) throw new HttpError(400, 'invalid_request_error', 'too many buckets (max 10000)');
      return { worker: request.params.worker, points: workerTimeSeries(ctx.db, { since, until, bucketMs, worker: request.params.worker }) };
    },
  );

  app.get<{ Params: { worker: string }; Querystring: { limit?: string } }>('/v1/workers/:worker/calls', async (request) => ({
    worker: request.params.worker,
    calls: recentCalls(ctx.db, request.params.worker, numberParam(request.query.limit, 50, 'limit')),
  }));
}
