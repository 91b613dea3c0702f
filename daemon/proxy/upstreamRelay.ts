// Relays an upstream response to the client while reading a copy for the record. Three shapes:
// SSE streams go event by event (so the injected usage chunk can be dropped exactly and a broken
// event turned into an error the SDK raises), JSON answers of model calls are checked whole before
// they are sent (a malformed body becomes a 502), and everything else streams through untouched.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { clientResponseHeaders, singleHeader } from './proxyHeaders';
import { ChatStreamSummary, ResponsesStreamSummary, emptySummary, summarizeJson, type ResponseSummary } from './responseSummary';
import { SseSplitter, sseErrorEvent } from './sseEvents';

export interface ProxyFailure {
  status: 502 | 504;
  code: 'upstream_reset' | 'upstream_timeout' | 'malformed_response';
  message: string;
}

export interface RelayInput {
  res: ServerResponse;
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
  /** x-flowtune-* response headers. */
  flowtuneHeaders: Record<string, string>;
  operation: string;
  recorded: boolean;
  /** The proxy asked for stream usage the client did not: drop that chunk and the `usage: null` fields. */
  injectedUsage: boolean;
  /** Milliseconds since the request arrived. */
  elapsed: () => number;
  signal: AbortSignal;
}

export interface RelayResult {
  summary: ResponseSummary;
  ttftMs: number | null;
  failure: ProxyFailure | null;
  cancelled: boolean;
  /** The status the client saw. */
  clientStatus: number;
  /** The decoded bytes the client saw and their headers, when the response is complete (for the cache). */
  clientBody: Buffer | null;
  clientHeaders: OutgoingHttpHeaders;
  sse: boolean;
}

const JSON_OPERATIONS = new Set(['chat', 'text_completion', 'responses', 'embeddings', 'moderations']);

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotli = promisify(zlib.brotliDecompress);

export function relayResponse(input: RelayInput): Promise<RelayResult> {
  const contentType = String(singleHeader(input.headers['content-type']) ?? '');
  if (/^text\/event-stream/i.test(contentType)) return relaySse(input);
  // Model-call answers in JSON are small and complete at once: check them before sending. Binary
  // answers (speech audio) stream through as they come.
  if (input.recorded && (/json/i.test(contentType) || JSON_OPERATIONS.has(input.operation))) return relayBuffered(input);
  return relayPassthrough(input);
}

function contentEncoding(headers: Record<string, string | string[] | undefined>): string {
  return String(singleHeader(headers['content-encoding']) ?? 'identity').trim().toLowerCase();
}

function failureFor(error: unknown, signal: AbortSignal): ProxyFailure | 'cancelled' {
  if (signal.aborted) return 'cancelled';
  const code = (error as { code?: string }).code;
  if (code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return { status: 504, code: 'upstream_timeout', message: 'the upstream stopped sending before the response was complete' };
  }
  return { status: 502, code: 'upstream_reset', message: `the upstream connection failed mid-response: ${(error as Error).message}` };
}

/** Writes and waits for the socket to drain when the client reads slowly. */
async function write(res: ServerResponse, chunk: Buffer): Promise<void> {
  if (res.destroyed) return;
  if (!res.write(chunk)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }
}

function decodedBody(body: Readable, encoding: string): AsyncIterable<Buffer> {
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : null;
  if (!decoder) return body;
  // pipeline carries an upstream error (reset, timeout) into the decoder, so the reader sees it.
  pipeline(body, decoder, () => {});
  return decoder;
}

const USAGE_NULL = /,\s*"usage"\s*:\s*null(?=\s*[,}])|"usage"\s*:\s*null\s*,/;

async function relaySse(input: RelayInput): Promise<RelayResult> {
  const { res, signal } = input;
  const encoding = contentEncoding(input.headers);
  // The relay re-emits decoded events, so a compressed stream goes out plain (the client would decode it anyway).
  const rewritten = input.injectedUsage || encoding !== 'identity';
  const clientHeaders = { ...clientResponseHeaders(input.headers, rewritten), ...input.flowtuneHeaders };
  if (rewritten || !('content-length' in clientHeaders)) delete clientHeaders['content-length'];
  res.writeHead(input.statusCode, clientHeaders);
  // The head goes out with the first event when that event came in the same read (one socket write
  // instead of two); otherwise on the next turn of the event loop, so the client still sees the
  // response start as soon as the upstream's did.
  let wroteBody = false;
  const flushHead = setImmediate(() => {
    if (!wroteBody && !res.destroyed && !res.writableEnded) res.flushHeaders();
  });

  const accumulator = input.operation === 'responses' ? new ResponsesStreamSummary() : new ChatStreamSummary();
  const splitter = new SseSplitter();
  const sent: Buffer[] = [];
  let ttftMs: number | null = null;
  let failure: ProxyFailure | null = null;
  let cancelled = false;
  const send = async (bytes: Buffer) => {
    sent.push(bytes);
    wroteBody = true;
    await write(res, bytes);
  };
  try {
    outer: for await (const chunk of decodedBody(input.body, encoding)) {
      for (const event of splitter.push(chunk as Buffer)) {
        if (event.data === undefined || event.data.trim() === '[DONE]') {
          await send(event.raw);
          continue;
        }
        let payload: unknown;
        try {
          payload = JSON.parse(event.data);
        } catch {
          failure = { status: 502, code: 'malformed_response', message: 'the upstream sent a stream event that is not valid JSON' };
          break outer;
        }
        const record = payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
        const generated = accumulator.onChunk(record);
        if (generated && ttftMs === null) ttftMs = input.elapsed();
        if (input.injectedUsage && Array.isArray(record.choices) && record.choices.length === 0 && record.usage) continue;
        if (input.injectedUsage && 'usage' in record && record.usage === null) {
          await send(Buffer.from(event.raw.toString('utf8').replace(USAGE_NULL, '')));
          continue;
        }
        await send(event.raw);
      }
    }
  } catch (error) {
    const outcome = failureFor(error, signal);
    if (outcome === 'cancelled') cancelled = true;
    else failure = outcome;
  }
  const remainder = splitter.remainder();
  if (!failure && !cancelled && remainder.length > 0) await send(remainder);
  if (failure) {
    input.body.destroy();
    await write(res, sseErrorEvent(failure.message, 'upstream_error', failure.code));
  }
  clearImmediate(flushHead);
  if (!res.destroyed) res.end();
  const summary = accumulator.finish();
  const complete = !failure && !cancelled;
  return { summary, ttftMs, failure, cancelled, clientStatus: input.statusCode, clientBody: complete ? Buffer.concat(sent) : null, clientHeaders, sse: true };
}

async function decodeCopy(raw: Buffer, encoding: string): Promise<Buffer | null> {
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return await gunzip(raw);
    if (encoding === 'deflate') return await inflate(raw);
    if (encoding === 'br') return await brotli(raw);
    return encoding === 'identity' || encoding === '' ? raw : null;
  } catch {
    return null;
  }
}

async function relayBuffered(input: RelayInput): Promise<RelayResult> {
  const { res, signal } = input;
  const chunks: Buffer[] = [];
  const base = { ttftMs: null, sse: false };
  try {
    for await (const chunk of input.body) chunks.push(chunk as Buffer);
  } catch (error) {
    const outcome = failureFor(error, signal);
    if (outcome === 'cancelled') return { ...base, summary: emptySummary(), failure: null, cancelled: true, clientStatus: 499, clientBody: null, clientHeaders: {} };
    return { ...base, summary: emptySummary(), failure: outcome, cancelled: false, clientStatus: outcome.status, clientBody: null, clientHeaders: {} };
  }
  const raw = Buffer.concat(chunks);
  const decoded = await decodeCopy(raw, contentEncoding(input.headers));
  let payload: unknown = undefined;
  if (decoded) {
    try {
      payload = JSON.parse(decoded.toString('utf8'));
    } catch {
      payload = undefined;
    }
  }
  const ok = input.statusCode >= 200 && input.statusCode < 300;
  if (ok && (payload === undefined || payload === null || typeof payload !== 'object')) {
    const failure: ProxyFailure = { status: 502, code: 'malformed_response', message: 'the upstream answered with a body that is not valid JSON' };
    return { ...base, summary: emptySummary(), failure, cancelled: false, clientStatus: 502, clientBody: null, clientHeaders: {} };
  }
  const summary = payload === undefined ? emptySummary() : summarizeJson(input.operation, payload);
  const clientHeaders = { ...clientResponseHeaders(input.headers, false), ...input.flowtuneHeaders };
  // Bytes go out exactly as they came (compressed if they were); the length is that of those bytes.
  clientHeaders['content-length'] = String(raw.length);
  res.writeHead(input.statusCode, clientHeaders);
  res.end(raw);
  const cacheHeaders = clientResponseHeaders(input.headers, true);
  return { ...base, summary, failure: null, cancelled: false, clientStatus: input.statusCode, clientBody: decoded, clientHeaders: cacheHeaders };
}

async function relayPassthrough(input: RelayInput): Promise<RelayResult> {
  const { res, signal } = input;
  const clientHeaders = { ...clientResponseHeaders(input.headers, false), ...input.flowtuneHeaders };
  res.writeHead(input.statusCode, clientHeaders);
  let failure: ProxyFailure | null = null;
  let cancelled = false;
  try {
    for await (const chunk of input.body) await write(res, chunk as Buffer);
  } catch (error) {
    const outcome = failureFor(error, signal);
    if (outcome === 'cancelled') cancelled = true;
    else failure = outcome;
  }
  // A broken pass-through body cannot be repaired after the headers went out: cut the connection
  // so the client sees a truncated response rather than a short one that looks complete.
  if (failure) res.destroy();
  else if (!res.destroyed) res.end();
  return { summary: emptySummary(), ttftMs: null, failure, cancelled, clientStatus: input.statusCode, clientBody: null, clientHeaders, sse: false };
}
