// Who may talk to the daemon: only local programs that know its token. A web page in the user's
// browser must not reach it, neither by DNS rebinding (foreign Host) nor by cross-site requests (Origin).
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const TOKEN_HEADER = 'x-flowtune-token';

export interface GuardRejection {
  status: 401 | 403;
  type: string;
  message: string;
}

export interface GuardOptions {
  port: number;
  token: string;
}

/** Hosts the daemon answers to: loopback names with its own port. Anything else is a rebinding attempt. */
export function isLoopbackHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.trim().toLowerCase();
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;
}

export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks one request's headers. `pathToken` is a token carried in the URL (`/t/<token>/…`), for
 * clients configured only through a base URL (OPENAI_BASE_URL cannot carry headers).
 */
export function guardRequest(headers: IncomingHttpHeaders, options: GuardOptions, pathToken?: string): GuardRejection | null {
  if (!isLoopbackHost(headers.host, options.port)) {
    return {
      status: 403,
      type: 'forbidden_host',
      message: `Host "${headers.host ?? ''}" is not this daemon (expected 127.0.0.1:${options.port} or localhost:${options.port})`,
    };
  }
  if (headers.origin !== undefined || (headers['sec-fetch-site'] !== undefined && headers['sec-fetch-site'] !== 'none')) {
    return {
      status: 403,
      type: 'forbidden_origin',
      message: 'requests from web pages are refused: the daemon serves local programs only',
    };
  }
  const headerToken = headers[TOKEN_HEADER];
  const token = typeof headerToken === 'string' ? headerToken : pathToken;
  if (!token) {
    return { status: 401, type: 'missing_token', message: `missing ${TOKEN_HEADER} header (the token is in <data-dir>/daemon.json)` };
  }
  if (!tokensEqual(token, options.token)) {
    return { status: 401, type: 'invalid_token', message: `wrong ${TOKEN_HEADER}: read the current token from <data-dir>/daemon.json` };
  }
  return null;
}

/**
 * Splits `/t/<token>[/run/<runId>]/rest` into the token, the run id and `/rest`; other URLs pass
 * through unchanged. `flowtune run` sets OPENAI_BASE_URL this way, since that variable carries no headers.
 */
export function splitPathToken(url: string): { url: string; token?: string; runId?: string } {
  const match = /^\/t\/([A-Za-z0-9_-]{16,128})(?:\/run\/([A-Za-z0-9._:-]{1,200}))?(\/.*)?$/.exec(url);
  if (!match) return { url };
  return { url: match[3] ?? '/', token: match[1], runId: match[2] };
}
