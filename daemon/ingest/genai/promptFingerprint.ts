// A stable identity for "the same prompt template" when the app sends no prompt id: calls whose
// template or system prompt differ only in the values filled in share a fingerprint.
import { createHash } from 'node:crypto';

const TEMPLATE_VAR_RE = /\{\{\s*[^{}]*?\s*\}\}|\{[A-Za-z_][\w.]*\}|\$\{[^{}]*\}/g;
const QUOTED_RE = /"(?:[^"\\\n]|\\.)*"|\u201C[^\u201D\n]*\u201D|(?<!\w)'(?:[^'\\\n]|\\.)*'(?!\w)/g;
// Numbers, including decimals, thousands separators, dates and times (2024-07-18, 12:30).
const NUMBER_RE = /\d+(?:[.,:/-]\d+)*/g;
const SPACE_RE = /\s+/g;

/**
 * The template text with its variable parts masked: `{{var}}`, `{var}` and `${var}` placeholders,
 * quoted strings and numbers become fixed tokens, whitespace runs collapse to one space.
 * A single quote counts as a quote mark only outside a word, so apostrophes (don't, it's) stay text.
 */
export function maskPromptTemplate(text: string): string {
  return text
    .replace(TEMPLATE_VAR_RE, '{{}}')
    .replace(QUOTED_RE, '""')
    .replace(NUMBER_RE, '0')
    .replace(SPACE_RE, ' ')
    .trim();
}

// The same system prompt or template recurs on almost every call of a worker: remember the last
// few hundred results instead of masking and hashing the same text again.
const CACHE_LIMIT = 512;
const cache = new Map<string, string>();

/** SHA-256 (hex) of the masked template text. */
export function promptFingerprint(templateOrSystemPrompt: string): string {
  const cached = cache.get(templateOrSystemPrompt);
  if (cached !== undefined) return cached;
  const digest = createHash('sha256').update(maskPromptTemplate(templateOrSystemPrompt)).digest('hex');
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(templateOrSystemPrompt, digest);
  return digest;
}
