// Watch API: anomalies with their lifecycle, failure analysis, load forecast, and a notification
// stream (server-sent events) of what changed.
import type { FastifyInstance } from 'fastify';
import type { DaemonContext } from '../../daemonContext';
import { daemonEvents, type DaemonEventName } from '../../events';
import { AnomalyStore } from '../../store/anomalyStore';
import { anomalyWatcherFor } from '../../watch/anomalyWatcher';
import { analyzeFailures } from '../../watch/failureAnalysis';
import { planLoad } from '../../watch/loadPlanner';
import { HttpError } from '../httpError';

const DAY_MS = 86_400_000;

function windowFrom(query: { since?: string; until?: string }, defaultLengthMs: number): { since: number; until: number } {
  const until = query.until !== undefined ? Number(query.until) : Date.now() + 1;
  const since = query.since !== undefined ? Number(query.since) : until - defaultLengthMs;
  if (!Number.isFinite(since) || !Number.isFinite(until) || since >= until) {
    throw new HttpError(400, 'invalid_request_error', 'since and until must be epoch milliseconds with since < until');
  }
  return { since, until };
}

export function registerWatchRoutes(app: FastifyInstance, ctx: DaemonContext): void {
  const store = new AnomalyStore(ctx.db);

  app.get<{ Querystring: { state?: string; worker?: string; limit?: string } }>('/v1/anomalies', async (request) => {
    const state = request.query.state ?? 'open';
    if (!['open', 'resolved', 'all'].includes(state)) throw new HttpError(400, 'invalid_request_error', 'state must be open, resolved or all');
    const limit = request.query.limit !== undefined ? Number(request.query.limit) : 200;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new HttpError(400, 'invalid_request_error', 'limit must be 1..10000');
    return {
      anomalies: store.list({ state: state === 'all' ? undefined : (state as 'open' | 'resolved'), worker: request.query.worker, limit }),
    };
  });

  app.get<{ Params: { id: string } }>('/v1/anomalies/:id', async (request) => {
    const anomaly = store.list({ limit: 10_000 }).find((a) => a.id === request.params.id);
    if (!anomaly) throw new HttpError(404, 'not_found', `no anomaly with id "${request.params.id}"`);
    return { anomaly, transitions: store.transitions(anomaly.id) };
  });

  /** Runs one watch tick now (the loop also runs on its own timer). */
  app.post('/v1/anomalies/evaluate', async () => anomalyWatcherFor(ctx).tick(Date.now()));

  app.get<{ Querystring: { since?: string; until?: string; worker?: string } }>('/v1/failures', async (request) =>
    analyzeFailures(ctx.db, windowFrom(request.query, DAY_MS), request.query.worker),
  );

  app.get<{ Querystring: { worker?: string } }>('/v1/load', async (request) => planLoad(ctx.db, Date.now(), request.query.worker));

  /** Server-sent events: one `data:` line per change, so scripts and the editor can follow live. */
  app.get('/v1/events', (request, reply) => {
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    response.write(': flowtune events\n\n');
    const names: DaemonEventName[] = ['anomaliesChanged', 'recommendationsChanged', 'callsIngested'];
    const unsubscribe = names.map((name) =>
      daemonEvents(ctx).on(name, (payload) => response.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`)),
    );
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
    keepAlive.unref();
    request.raw.on('close', () => {
      clearInterval(keepAlive);
      for (const off of unsubscribe) off();
    });
  });
}
