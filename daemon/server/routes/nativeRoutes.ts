// The native JSON API: batches of runs/steps/calls/scores, feedback on calls, and run lifecycle
// records for `flowtune run`.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  feedbackSchema,
  nativeIngestSchema,
  runLifecycleSchema,
  type NativeIngestResponse,
} from '../../../shared/http/nativeIngest';
import type { DaemonContext } from '../../daemonContext';
import { promptFingerprint } from '../../ingest/genai/promptFingerprint';
import { proxyStateFor } from '../../proxy/proxyState';
import { mapNativeIngest } from '../../ingest/native/mapNative';
import { runSummary } from '../../store/workerQueries';
import { HttpError } from '../httpError';
import { decodeRequestBody, parseJsonBody } from '../requestBody';

/** Parses and validates a JSON body; a schema failure is a 400 naming the field. */
export async function readJson<T extends z.ZodType>(
  ctx: DaemonContext,
  body: unknown,
  encoding: string | undefined,
  schema: T,
): Promise<z.output<T>> {
  if (!Buffer.isBuffer(body)) throw new HttpError(400, 'invalid_request_error', 'request body is required');
  const decoded = await decodeRequestBody(body, encoding, ctx.maxBodyBytes);
  const parsed = schema.safeParse(parseJsonBody(decoded));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw new HttpError(400, 'invalid_request_error', `invalid ${where}: ${issue.message}`);
  }
  return parsed.data;
}

export function registerNativeRoutes(app: FastifyInstance, ctx: DaemonContext): void {
  app.post('/v1/ingest', async (request, reply) => {
    const payload = await readJson(ctx, request.body, request.headers['content-encoding'], nativeIngestSchema);
    const batch = mapNativeIngest(payload, { fingerprint: promptFingerprint });
    const written = ctx.writer.write(batch);
    const response: NativeIngestResponse = {
      accepted: {
        runs: written.runs,
        steps: written.steps,
        calls: written.calls,
        scores: written.scores,
        duplicate_calls: written.duplicateCalls,
      },
      call_ids: batch.calls.map((c) => c.id),
    };
    return reply.code(200).send(response);
  });

  app.post('/v1/feedback', async (request, reply) => {
    const feedback = await readJson(ctx, request.body, request.headers['content-encoding'], feedbackSchema);
    // The proxy writes its call records in small batches just after each response: a client that
    // posts feedback right away must still find its call.
    proxyStateFor(ctx).records.flush();
    const exists = ctx.db.prepare('SELECT 1 FROM calls WHERE id = ?').get(feedback.call_id);
    if (!exists) throw new HttpError(404, 'not_found', `no call with id "${feedback.call_id}"`);
    const now = Date.now();
    const scores = [];
    if (feedback.quality !== undefined) {
      scores.push({ callId: feedback.call_id, name: 'quality', value: feedback.quality, rawValue: feedback.quality, source: 'user' as const, createdAt: now, comment: feedback.comment ?? null });
    }
    if (feedback.rating !== undefined) {
      // Ratings 1..5 map onto 0..1 so they average with every other quality signal.
      scores.push({ callId: feedback.call_id, name: 'rating', value: (feedback.rating - 1) / 4, rawValue: feedback.rating, source: 'user' as const, createdAt: now, comment: feedback.comment ?? null });
    }
    if (scores.length === 0) {
      scores.push({ callId: feedback.call_id, name: 'comment', value: null, source: 'user' as const, createdAt: now, comment: feedback.comment ?? null });
    }
    ctx.writer.write({ runs: [], steps: [], calls: [], scores });
    return reply.code(200).send({ ok: true, scores: scores.length });
  });

  app.post('/v1/runs', async (request, reply) => {
    const run = await readJson(ctx, request.body, request.headers['content-encoding'], runLifecycleSchema);
    const status = run.exit_code === undefined ? 'unset' : run.exit_code === 0 ? 'ok' : 'error';
    ctx.writer.write({
      runs: [
        {
          id: run.id,
          name: run.name ?? null,
          source: 'cli',
          startedAt: run.started_at,
          endedAt: run.ended_at ?? null,
          status,
          exitCode: run.exit_code ?? null,
          command: run.command ?? null,
        },
      ],
      steps: [],
      calls: [],
      scores: [],
    });
    return reply.code(200).send({ ok: true, id: run.id });
  });

  app.get<{ Params: { id: string } }>('/v1/runs/:id/summary', async (request, reply) => {
    // The run's last proxied calls may still sit in the proxy's record batch.
    proxyStateFor(ctx).records.flush();
    const run = ctx.db.prepare('SELECT id, status, exit_code AS exitCode FROM runs WHERE id = ?').get(request.params.id);
    if (!run) throw new HttpError(404, 'not_found', `no run with id "${request.params.id}"`);
    return reply.send({ run, ...runSummary(ctx.db, request.params.id) });
  });
}
