// Clusters LLM error messages into templates: mask the volatile parts providers put in messages
// (request ids, UUIDs, URLs, model snapshots, durations, token counts), then run Drain separately
// per (provider, HTTP status, error type) so a 429 and a 400 never share a template.
import { Drain, DrainOptions, templateOf } from './drain';

/** Ordered: earlier masks protect their matches from later, more generic ones. */
const MASKS: ReadonlyArray<[RegExp, string]> = [
  [/\bhttps?:\/\/[^\s"'<>)]+/gi, '<URL>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<UUID>'],
  // Provider request/response ids: req_…, chatcmpl-…, msg_…, resp_…, run_…, and "request id: X".
  [/\b(?:req|request|chatcmpl|cmpl|msg|resp|run|call|toolu|batch|file)[_-][A-Za-z0-9_-]{6,}\b/g, '<ID>'],
  [/\b(request[ _-]?id|trace[ _-]?id|x-request-id)\s*[:=]?\s*[A-Za-z0-9._-]{6,}/gi, '$1 <ID>'],
  // Model names with a version/date suffix keep the family and lose the snapshot.
  [/\b((?:gpt|o\d|claude|gemini|llama|mistral|mixtral|command|text-embedding)[A-Za-z0-9.-]*?)-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest|preview|v\d+(?:\.\d+)*)\b/gi, '$1-<VER>'],
  [/\b\d+(?:\.\d+)?\s?(?:ms|milliseconds?|s|sec|secs|seconds?|m|min|minutes?|h|hours?)\b/gi, '<DUR>'],
  [/\b0x[0-9a-f]+\b/gi, '<HEX>'],
  [/\b[0-9a-f]{16,}\b/gi, '<HEX>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<IP>'],
  [/[-+]?\b\d+(?:[.,]\d+)*\b/g, '<NUM>'],
];

/** Replaces volatile substrings of an LLM error message with placeholders. */
export function maskLlmError(message: string): string {
  let s = message;
  for (const [re, rep] of MASKS) s = s.replace(re, rep);
  return s;
}

export interface ErrorEvent {
  provider: string;
  httpStatus: number | null;
  errorType: string | null;
  message: string;
}

export interface ErrorTemplate {
  /** Stable key: provider|status|type|drain cluster id. */
  key: string;
  provider: string;
  httpStatus: number | null;
  errorType: string | null;
  template: string;
  count: number;
  /** One raw message, to show the user what it looked like. */
  example: string;
}

export class ErrorTemplateClusterer {
  private readonly drains = new Map<string, Drain>();
  private readonly examples = new Map<string, string>();

  constructor(private readonly drainOptions: DrainOptions = {}) {}

  /** Adds one error and returns its template key. */
  add(e: ErrorEvent): string {
    const group = groupKey(e);
    let d = this.drains.get(group);
    if (!d) {
      d = new Drain({ simTh: 0.5, ...this.drainOptions, mask: maskLlmError });
      this.drains.set(group, d);
    }
    const { cluster } = d.addLogMessage(e.message);
    const key = `${group}|${cluster.id}`;
    if (!this.examples.has(key)) this.examples.set(key, e.message);
    return key;
  }

  /** Templates, most frequent first. */
  templates(): ErrorTemplate[] {
    const out: ErrorTemplate[] = [];
    for (const [group, d] of this.drains) {
      const [provider, status, type] = group.split('|');
      for (const c of d.clusters) {
        const key = `${group}|${c.id}`;
        out.push({
          key, provider,
          httpStatus: status === '' ? null : Number(status),
          errorType: type === '' ? null : type,
          template: templateOf(c),
          count: c.size,
          example: this.examples.get(key) ?? '',
        });
      }
    }
    return out.sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  }
}

function groupKey(e: ErrorEvent): string {
  const clean = (s: string) => s.replace(/\|/g, '/');
  return `${clean(e.provider)}|${e.httpStatus ?? ''}|${clean(e.errorType ?? '')}`;
}

/** Convenience: cluster a batch of errors. */
export function clusterErrors(events: readonly ErrorEvent[], o: DrainOptions = {}): ErrorTemplate[] {
  const c = new ErrorTemplateClusterer(o);
  for (const e of events) c.add(e);
  return c.templates();
}
