// One proxied request from arrival to record: read the Flowtune headers, apply the worker's
// override, answer from the cache or wait for a slot at the upstream model's gate, forward, relay
// the answer, and store the call. The proxy never retries: the client's own retries stay in charge.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { request as undiciRequest } from 'undici';
import { errorBody } from '../../shared/errors';
import type { DaemonContext } from '../daemonContext';
import { decodeRequestBody } from '../server/requestBody';
import { UNKNOWN_DIMENSION } from '../store/rollupKey';
import { requestHash } from './canonicalRequest';
import { QueueAbortedError, QueueFullError, type ConcurrencyGate, type GatePermit } from './concurrencyGate';
import { buildCallRecord, providerForUpstream, type OutcomeFacts, type RequestFacts } from './proxyCallRecord';
import { retryAfterMs, singleHeader, upstreamRequestHeaders } from './proxyHeaders';
import type { ProxyState } from './proxyState';
import { classifyEndpoint, planRequest, type Json } from './requestPlan';
import type { CacheEntry } from './responseCache';
import { emptySummary } from './responseSummary';
import { relayResponse, type RelayResult } from './upstreamRelay';
import type { SampleOutcome } from './adaptiveLimit';

export const PROXY_PREFIX = '/openai';
const CACHEABLE = new Set(['chat', 'text_completion', 'responses', 'embeddings']);
const USAGE_STREAMS = new Set(['chat', 'text_completion']);

export interface IncomingProxyRequest {
  method: string;
  /** The URL after the daemon's path rewrite: `/openai/v1/...?query`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer | undefined;
  pathRunId: string | undefined;
}

function headerText(headers: IncomingHttpHeaders, name: string): string | null {
  const value = singleHeader(headers[name])?.trim();
  return value ? value : null;
}

/** What a base URL says, parsed once per distinct base (there are a handful; bounded all the same). */
const upstreamBases = new Map<string, { origin: string; prefix: string }>();

function upstreamBaseParts(base: string): { origin: string; prefix: string } {
  let parts = upstreamBases.get(base);
  if (!parts) {
    const trimmed = base.replace(/\/+$/, '');
    const url = new URL(trimmed);
    parts = { origin: url.origin, prefix: /\/v\d+[a-z]*$/i.test(url.pathname) ? trimmed : `${trimmed}/v1` };
    if (upstreamBases.size >= 64) upstreamBases.clear();
    upstreamBases.set(base, parts);
  }
  return parts;
}

/** The upstream base URL (with /v1) joined with the client's `/v1/...` path. */
export function upstreamUrl(base: string, pathWithQuery: string): string {
  return upstreamBaseParts(base).prefix + pathWithQuery.replace(/^\/v1(?=\/|\?|$)/, '');
}

function resolveUpstream(ctx: DaemonContext, worker: string | null, overrideUpstream: string | null): string | null {
  if (overrideUpstream) return overrideUpstream;
  const configured = worker ? ctx.config.workers.find((entry) => entry.name === worker)?.upstream : undefined;
  return configured ?? ctx.upstream;
}

function sendError(res: ServerResponse, status: number, type: string, code: string, message: string, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent || res.destroyed) {
    if (!res.destroyed) res.end();
    return;
  }
  const text = JSON.stringify(errorBody(message, type, code));
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

async function parseRequestJson(ctx: DaemonContext, request: IncomingProxyRequest): Promise<Json | null> {
  if (!request.body || request.body.length === 0) return null;
  if (!/json/i.test(String(singleHeader(request.headers['content-type']) ?? ''))) return null;
  try {
    const decoded = await decodeRequestBody(request.body, singleHeader(request.headers['content-encoding']), ctx.maxBodyBytes);
    const parsed: unknown = JSON.parse(decoded.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : null;
  } catch {
    return null; // forwarded as sent; the upstream will say what is wrong with it
  }
}

export async function handleProxyRequest(ctx: DaemonContext, state: ProxyState, request: IncomingProxyRequest, res: ServerResponse): Promise<void> {
  const t0 = performance.now();
  const elapsed = () => performance.now() - t0;
  const startedAt = Date.now();
  const callId = `call_${randomUUID()}`;
  const pathWithQuery = request.url.slice(PROXY_PREFIX.length) || '/';
  const pathname = pathWithQuery.split('?')[0];
  const endpoint = classifyEndpoint(request.method, pathname);
  const worker = headerText(request.headers, 'x-flowtune-worker');
  const runId = headerText(request.headers, 'x-flowtune-run') ?? request.pathRunId ?? null;
  const retryHeader = Number(headerText(request.headers, 'x-stainless-retry-count'));

  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });

  const body = endpoint.recorded ? await parseRequestJson(ctx, request) : null;
  const override = worker ? state.overrides.specFor(worker) : null;
  const plan = planRequest(endpoint, body, override, runId ?? callId, (id) => state.overrides.variantFor(id));
  for (const warning of plan.warnings) ctx.logger.warn(`proxy: ${warning}`, { worker });
  const effectiveBody = plan.body;
  const streamOptions = effectiveBody?.stream_options as { include_usage?: unknown } | undefined;
  const injectUsage = USAGE_STREAMS.has(endpoint.operation) && effectiveBody?.stream === true && streamOptions?.include_usage !== true;
  let outgoing = request.body;
  if (effectiveBody && (plan.bodyChanged || injectUsage)) {
    const sent = injectUsage ? { ...effectiveBody, stream_options: { ...(streamOptions ?? {}), include_usage: true } } : effectiveBody;
    outgoing = Buffer.from(JSON.stringify(sent));
  }

  const flowtuneHeaders: Record<string, string> = { 'x-flowtune-call-id': callId, 'x-flowtune-cache': 'miss' };
  if (plan.variant) flowtuneHeaders['x-flowtune-variant'] = plan.variant;

  const upstreamBase = resolveUpstream(ctx, worker, plan.upstream);
  const facts: RequestFacts = {
    callId,
    startedAt,
    worker,
    runId,
    promptId: headerText(request.headers, 'x-flowtune-prompt'),
    promptVersion: plan.promptVersion,
    retryCount: Number.isInteger(retryHeader) && retryHeader >= 0 ? retryHeader : null,
    variant: plan.variant,
    operation: endpoint.operation,
    provider: upstreamBase ? providerForUpstream(upstreamBase) : null,
    body: effectiveBody,
  };
  let cacheKey: string | null = null;
  /** The canonical request hash, computed once and only when needed (before forwarding only if the cache is on). */
  let hashRequest: (() => string) | null = null;
  // Queued after the response has gone out; the record (and, cache off, the hash) is built in the
  // batch, so neither the store nor the record's JSON work is on any client's critical path.
  const record = (outcome: OutcomeFacts): void => {
    if (!endpoint.recorded) return;
    // Every cacheable request counts toward the duplicate rate, whether or not the cache is on.
    state.records.addCall(() => buildCallRecord(facts, outcome), hashRequest ? { worker: worker ?? UNKNOWN_DIMENSION, hash: hashRequest, at: startedAt } : null);
  };
  const fail = (status: number, type: string, code: string, message: string, extra: OutgoingHttpHeaders = {}) => {
    sendError(res, status, type, code, message, { ...flowtuneHeaders, ...extra });
    record({ status: 'error', httpStatus: status, latencyMs: elapsed(), ttftMs: null, summary: emptySummary(), errorType: code, errorMessage: message, cacheHit: false });
  };

  if (!upstreamBase) {
    fail(503, 'server_error', 'upstream_not_configured', 'no upstream provider is configured: start the daemon with --upstream or set "upstream" in flowtune.config.json', {
      'x-should-retry': 'false',
    });
    return;
  }

  if (effectiveBody && CACHEABLE.has(endpoint.operation)) {
    const base = upstreamBase;
    hashRequest = () => (cacheKey ??= requestHash('POST', pathname, effectiveBody, base));
  }
  if (hashRequest && plan.cache?.enabled) {
    cacheKey = hashRequest();
    const entry = state.cache.lookup(cacheKey, startedAt);
    if (entry) {
      replayFromCache(state, entry, res, flowtuneHeaders, facts, elapsed, record);
      return;
    }
  }

  let gate: ConcurrencyGate | null = null;
  let permit: GatePermit | null = null;
  if (endpoint.recorded) {
    gate = state.gates.gateFor(upstreamBaseParts(upstreamBase).origin, typeof effectiveBody?.model === 'string' ? effectiveBody.model : UNKNOWN_DIMENSION);
    try {
      permit = await gate.acquire(abort.signal);
    } catch (error) {
      if (error instanceof QueueFullError) {
        fail(429, 'rate_limit_error', 'proxy_queue_full', 'too many requests are waiting for this model at the Flowtune proxy; retry later', {
          'retry-after': String(error.retryAfterSeconds),
        });
      } else if (error instanceof QueueAbortedError) {
        record({ status: 'cancelled', httpStatus: null, latencyMs: elapsed(), ttftMs: null, summary: emptySummary(), cacheHit: false });
      } else throw error;
      return;
    }
  }
  const releaseGate = (outcome: SampleOutcome, rttMs: number, retryAfter?: number) => {
    if (gate && permit) gate.release(permit, outcome, rttMs, retryAfter);
    permit = null;
  };

  let upstreamResponse: Awaited<ReturnType<typeof undiciRequest>>;
  try {
    upstreamResponse = await undiciRequest(upstreamUrl(upstreamBase, pathWithQuery), {
      method: request.method as 'POST',
      headers: upstreamRequestHeaders(request.headers, outgoing !== request.body),
      body: outgoing && outgoing.length > 0 ? outgoing : undefined,
      signal: abort.signal,
      dispatcher: state.agent,
      headersTimeout: state.options.upstreamTimeoutMs,
      bodyTimeout: state.options.upstreamTimeoutMs,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (abort.signal.aborted) {
      releaseGate('error', elapsed());
      record({ status: 'cancelled', httpStatus: null, latencyMs: elapsed(), ttftMs: null, summary: emptySummary(), cacheHit: false });
      return;
    }
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      releaseGate('timeout', elapsed());
      fail(504, 'upstream_error', 'upstream_timeout', `the upstream did not answer within ${state.options.upstreamTimeoutMs} ms`);
      return;
    }
    releaseGate('error', elapsed());
    ctx.logger.warn('proxy: upstream unreachable', { upstream: new URL(upstreamBase).origin, error: (error as Error).message });
    fail(502, 'upstream_error', 'upstream_unreachable', `the upstream could not be reached: ${(error as Error).message}`);
    return;
  }

  const status = upstreamResponse.statusCode;
  const responseHeaders = upstreamResponse.headers as Record<string, string | string[] | undefined>;
  let relay: RelayResult;
  try {
    relay = await relayResponse({
      res,
      statusCode: status,
      headers: responseHeaders,
      body: upstreamResponse.body,
      flowtuneHeaders,
      operation: endpoint.operation,
      recorded: endpoint.recorded,
      injectedUsage: injectUsage,
      elapsed,
      signal: abort.signal,
    });
  } finally {
    if (!upstreamResponse.body.destroyed && abort.signal.aborted) upstreamResponse.body.destroy();
  }
  const latencyMs = elapsed();

  if (relay.failure && !res.headersSent) {
    fail(relay.failure.status, 'upstream_error', relay.failure.code, relay.failure.message);
    releaseGate(relay.failure.code === 'upstream_timeout' ? 'timeout' : 'error', latencyMs);
    return;
  }
  const rtt = relay.sse ? (relay.ttftMs ?? latencyMs) : latencyMs;
  if (status === 429) releaseGate('rate_limited', rtt, retryAfterMs(responseHeaders));
  else if (relay.failure?.code === 'upstream_timeout') releaseGate('timeout', rtt);
  else if (status >= 500 || relay.failure || relay.cancelled) releaseGate('error', rtt);
  else releaseGate('success', rtt);

  const ok = status >= 200 && status < 400;
  const outcome: OutcomeFacts = {
    status: relay.cancelled ? 'cancelled' : relay.failure || !ok ? 'error' : 'ok',
    httpStatus: relay.failure ? relay.failure.status : status,
    latencyMs,
    ttftMs: relay.sse ? relay.ttftMs : null,
    summary: relay.summary,
    errorType: relay.failure?.code ?? (ok ? null : (relay.summary.errorType ?? `http_${status}`)),
    errorMessage: relay.failure?.message ?? null,
    cacheHit: false,
  };
  record(outcome);

  if (cacheKey && plan.cache?.enabled && status === 200 && outcome.status === 'ok' && relay.clientBody) {
    try {
      state.cache.store({
        cacheKey,
        worker: worker ?? UNKNOWN_DIMENSION,
        callId,
        httpStatus: status,
        headers: cacheableHeaders(relay.clientHeaders),
        body: relay.clientBody,
        stream: relay.sse,
        summary: relay.summary,
        latencyMs,
        createdAt: startedAt,
        expiresAt: startedAt + plan.cache.ttlSeconds * 1000,
      });
    } catch (error) {
      ctx.logger.warn('proxy: caching the response failed', { error: (error as Error).message });
    }
  }
}

/** Response headers worth replaying: the provider's own, not Flowtune's or the encoding of bytes no longer encoded. */
function cacheableHeaders(headers: OutgoingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith('x-flowtune-')) continue;
    if (['content-length', 'content-encoding', 'date', 'set-cookie'].includes(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

function replayFromCache(
  state: ProxyState,
  entry: CacheEntry,
  res: ServerResponse,
  flowtuneHeaders: Record<string, string>,
  facts: RequestFacts,
  elapsed: () => number,
  record: (outcome: OutcomeFacts) => void,
): void {
  flowtuneHeaders['x-flowtune-cache'] = 'hit';
  res.writeHead(entry.httpStatus, { ...entry.headers, ...flowtuneHeaders, 'content-length': String(entry.body.length) });
  res.end(entry.body);
  const latencyMs = elapsed();
  record({ status: 'ok', httpStatus: entry.httpStatus, latencyMs, ttftMs: entry.stream ? latencyMs : null, summary: entry.summary, cacheHit: true });
  state.records.addHit({
    callId: facts.callId,
    worker: facts.worker ?? UNKNOWN_DIMENSION,
    cacheKey: entry.cacheKey,
    sourceCallId: entry.callId,
    savedMs: entry.latencyMs === null ? null : Math.max(0, entry.latencyMs - latencyMs),
    at: facts.startedAt,
  });
}
