// The identity of a request for the response cache and the duplicate-rate measure: the method, the
// endpoint and the JSON body with its keys sorted, so key order and whitespace do not make two
// identical requests look different. Everything in the body counts (model, messages, parameters,
// the stream flag); two requests that differ in any value are different requests.
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth; undefined members dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(',')}}`;
}

/** SHA-256 (hex) of the canonical request; `scope` separates upstreams that would answer differently. */
export function requestHash(method: string, endpoint: string, body: unknown, scope = ''): string {
  return createHash('sha256')
    .update(`${scope}\n${method.toUpperCase()} ${endpoint}\n${canonicalJson(body)}`)
    .digest('hex');
}
