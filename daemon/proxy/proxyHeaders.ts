// Which headers cross the proxy. Hop-by-hop headers belong to one connection, Host names the daemon,
// and x-flowtune-* are instructions to Flowtune that the provider must never see. Everything else
// (Authorization, openai-*, x-stainless-*, accept-encoding) is the client's business and passes on.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
]);

export const FLOWTUNE_HEADER_PREFIX = 'x-flowtune-';

/** Request headers to send upstream. `bodyRewritten`: the proxy sends its own (uncompressed) body. */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, bodyRewritten: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connectionListed = listedInConnection(incoming.connection);
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || connectionListed.has(lower) || lower === 'host' || lower.startsWith(FLOWTUNE_HEADER_PREFIX)) continue;
    // undici computes the length of the body it sends; a rewritten body is plain JSON.
    if (lower === 'content-length') continue;
    if (bodyRewritten && lower === 'content-encoding') continue;
    out[lower] = value;
  }
  return out;
}

/** Response headers to relay to the client. `bodyRewritten`: the proxy sends decoded or edited bytes. */
export function clientResponseHeaders(upstream: Record<string, string | string[] | undefined>, bodyRewritten: boolean): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const connectionListed = listedInConnection(upstream.connection);
  for (const [name, value] of Object.entries(upstream)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || connectionListed.has(lower)) continue;
    if (bodyRewritten && (lower === 'content-length' || lower === 'content-encoding')) continue;
    out[lower] = value;
  }
  return out;
}

const NONE_LISTED: ReadonlySet<string> = new Set();

/** Headers named in Connection are hop-by-hop too (RFC 9110 §7.6.1). */
function listedInConnection(value: string | string[] | undefined): ReadonlySet<string> {
  if (value === undefined) return NONE_LISTED;
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(text.split(',').map((token) => token.trim().toLowerCase()).filter(Boolean));
}

export function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After / retry-after-ms as milliseconds; seconds or an HTTP date. Undefined when absent or invalid. */
export function retryAfterMs(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | undefined {
  const ms = Number(singleHeader(headers['retry-after-ms']));
  if (singleHeader(headers['retry-after-ms']) !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const value = singleHeader(headers['retry-after']);
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
