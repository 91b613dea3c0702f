// Control API for the proxy: live overrides per worker (set, inspect, undo), stored prompt variants,
// and what the proxy measures (gate limits and queues, cache savings, duplicate-request rates).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  promptVariantIdSchema,
  putOverrideRequestSchema,
  putPromptVariantRequestSchema,
  revertOverrideRequestSchema,
  type OverrideSpec,
} from '../../shared/http/overrides';
import type { DaemonContext } from '../daemonContext';
import { HttpError } from '../server/httpError';
import { decodeRequestBody, parseJsonBody } from '../server/requestBody';
import { mergeOverride } from './overrideStore';
import type { ProxyState } from './proxyState';
import { cacheSavings, duplicateRate } from './responseCache';

const DAY_MS = 86_400_000;

async function jsonBody<T extends z.ZodType>(ctx: DaemonContext, request: FastifyRequest, schema: T, optional = false): Promise<z.infer<T>> {
  const raw = Buffer.isBuffer(request.body) ? request.body : undefined;
  let value: unknown = {};
  if (raw && raw.length > 0) {
    const decoded = await decodeRequestBody(raw, request.headers['content-encoding'], ctx.maxBodyBytes);
    value = parseJsonBody(decoded);
  } else if (!optional) {
    throw new HttpError(400, 'invalid_request_error', 'a JSON body is required');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
    throw new HttpError(400, 'invalid_request_error', `invalid request: ${detail}`);
  }
  return parsed.data;
}

function workerParam(worker: string): string {
  if (worker.length === 0 || worker.length > 200) throw new HttpError(400, 'invalid_request_error', 'worker name must be 1 to 200 characters');
  return worker;
}

function numberQuery(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new HttpError(400, 'invalid_request_error', `query parameter ${name} must be a non-negative number`);
  return parsed;
}

/** Every prompt variant an override names must exist, or the override would silently do nothing. */
function checkVariantsExist(state: ProxyState, spec: OverrideSpec): void {
  const named = [spec.prompt_variant, ...(spec.split?.arms.map((arm) => arm.prompt_variant) ?? [])].filter((id): id is string => Boolean(id));
  for (const id of named) {
    if (!state.overrides.variant(id)) {
      throw new HttpError(400, 'invalid_request_error', `prompt variant "${id}" does not exist: create it with PUT /v1/prompt-variants/${id}`);
    }
  }
}

export function registerOverrideRoutes(app: FastifyInstance, ctx: DaemonContext, state: ProxyState): void {
  app.get('/v1/overrides', async () => ({ overrides: state.overrides.list() }));

  app.get<{ Params: { worker: string } }>('/v1/overrides/:worker', async (request) => {
    const worker = workerParam(request.params.worker);
    return { worker, override: state.overrides.get(worker), history: state.overrides.historyFor(worker, 20) };
  });

  app.get<{ Params: { worker: string }; Querystring: { limit?: string } }>('/v1/overrides/:worker/history', async (request) => {
    const worker = workerParam(request.params.worker);
    const limit = Math.min(1000, Math.floor(numberQuery(request.query.limit, 100, 'limit')));
    return { worker, history: state.overrides.historyFor(worker, limit) };
  });

  app.put<{ Params: { worker: string } }>('/v1/overrides/:worker', async (request) => {
    const worker = workerParam(request.params.worker);
    const change = await jsonBody(ctx, request, putOverrideRequestSchema);
    checkVariantsExist(state, mergeOverride(state.overrides.get(worker)?.spec ?? null, change));
    const override = state.overrides.set(worker, change);
    ctx.logger.info('proxy override set', { worker, by: change.set_by, reason: change.reason, spec: override?.spec ?? null });
    return { worker, override };
  });

  app.delete<{ Params: { worker: string }; Querystring: { set_by?: string; reason?: string; all?: string } }>('/v1/overrides/:worker', async (request) => {
    const worker = workerParam(request.params.worker);
    const fromBody = await jsonBody(ctx, request, revertOverrideRequestSchema, true);
    const by = {
      set_by: request.query.set_by ?? fromBody.set_by,
      reason: request.query.reason ?? fromBody.reason,
      all: request.query.all === 'true' || request.query.all === '1' || fromBody.all,
    };
    const result = state.overrides.revert(worker, by);
    if (!result) throw new HttpError(404, 'not_found', `worker "${worker}" has no override change to undo`);
    ctx.logger.info('proxy override reverted', { worker, by: by.set_by, reason: by.reason, all: by.all });
    return { worker, override: result.restored };
  });

  app.get('/v1/prompt-variants', async () => ({ variants: state.overrides.variants() }));

  app.get<{ Params: { id: string } }>('/v1/prompt-variants/:id', async (request) => {
    const variant = state.overrides.variant(request.params.id);
    if (!variant) throw new HttpError(404, 'not_found', `prompt variant "${request.params.id}" does not exist`);
    return { variant };
  });

  app.put<{ Params: { id: string } }>('/v1/prompt-variants/:id', async (request) => {
    const id = promptVariantIdSchema.safeParse(request.params.id);
    if (!id.success) throw new HttpError(400, 'invalid_request_error', 'variant id: letters, digits, . _ : - (at most 64)');
    const body = await jsonBody(ctx, request, putPromptVariantRequestSchema);
    return { variant: state.overrides.putVariant({ id: id.data, ...body }) };
  });

  app.get('/v1/proxy/metrics', async () => ({
    gates: state.gates.snapshot().map((gate) => ({
      upstream: gate.upstream,
      model: gate.model,
      limit: gate.limit,
      inflight: gate.inflight,
      queued: gate.queued,
      max_queue: gate.maxQueue,
      paused_for_ms: gate.pausedForMs,
      completed: gate.completed,
      rate_limited: gate.rateLimited,
      timeouts: gate.timeouts,
      refused: gate.refused,
    })),
  }));

  app.get<{ Querystring: { since?: string; worker?: string } }>('/v1/proxy/cache', async (request) => {
    const since = numberQuery(request.query.since, Date.now() - 7 * DAY_MS, 'since');
    state.records.flush();
    return { since, savings: cacheSavings(ctx.db, since, request.query.worker || undefined) };
  });

  app.get<{ Params: { worker: string }; Querystring: { window_ms?: string } }>('/v1/proxy/duplicates/:worker', async (request) => {
    const windowMs = numberQuery(request.query.window_ms, DAY_MS, 'window_ms');
    state.records.flush();
    return duplicateRate(ctx.db, workerParam(request.params.worker), windowMs);
  });
}
