// What the proxy will send upstream for one request: which endpoint it is, which override and
// traffic-split arm apply, and the request body after those changes. Pure: the caller supplies the
// override and a way to look up prompt variants.
import type { OverrideSpec, SplitArm } from '../../shared/http/overrides';
import { assignArm } from './trafficSplit';

export interface Endpoint {
  /** chat, text_completion, responses, embeddings, … or 'other' for pass-through paths. */
  operation: string;
  /** A model call worth recording (POST to a generation endpoint). */
  recorded: boolean;
  /** Model route, max_tokens, temperature and prompt variants apply (text generation endpoints). */
  generative: boolean;
}

const RECORDED_PATHS: Array<[RegExp, string, boolean]> = [
  [/^\/v1\/chat\/completions$/, 'chat', true],
  [/^\/v1\/completions$/, 'text_completion', true],
  [/^\/v1\/responses$/, 'responses', true],
  [/^\/v1\/embeddings$/, 'embeddings', false],
  [/^\/v1\/moderations$/, 'moderations', false],
  [/^\/v1\/audio\/(speech|transcriptions|translations)$/, 'audio', false],
  [/^\/v1\/images\/(generations|edits|variations)$/, 'images', false],
];

export function classifyEndpoint(method: string, pathname: string): Endpoint {
  if (method.toUpperCase() === 'POST') {
    for (const [pattern, operation, generative] of RECORDED_PATHS) {
      if (pattern.test(pathname)) return { operation, recorded: true, generative };
    }
  }
  return { operation: 'other', recorded: false, generative: false };
}

export type Json = Record<string, unknown>;

export interface PromptVariantText {
  id: string;
  system_prompt: string;
}

export interface RequestPlan {
  /** The body to send (before usage injection); the same object as the input when nothing changed. */
  body: Json | null;
  bodyChanged: boolean;
  /** The split arm or prompt variant that shaped this request, for x-flowtune-variant and the call row. */
  variant: string | null;
  /** Set when a stored prompt variant replaced the system prompt, so its calls roll up apart. */
  promptVersion: string | null;
  cache: { enabled: boolean; ttlSeconds: number } | null;
  upstream: string | null;
  warnings: string[];
}

type RequestChanges = Pick<OverrideSpec, 'model' | 'max_tokens' | 'temperature' | 'prompt_variant'>;

/**
 * Applies a worker's override to a request body. `unitId` (the run id when there is one) decides the
 * traffic-split arm, so every call of a run sees the same arm.
 */
export function planRequest(
  endpoint: Endpoint,
  body: Json | null,
  override: OverrideSpec | null,
  unitId: string,
  findVariant: (id: string) => PromptVariantText | null,
): RequestPlan {
  const plan: RequestPlan = {
    body,
    bodyChanged: false,
    variant: null,
    promptVersion: null,
    cache: override?.cache ? { enabled: override.cache.enabled, ttlSeconds: override.cache.ttl_seconds } : null,
    upstream: override?.upstream ?? null,
    warnings: [],
  };
  if (!override || !body || !endpoint.generative) return plan;
  let changes: RequestChanges = override;
  if (override.split) {
    const arm = assignArm<SplitArm>(override.split.arms, override.split.salt, unitId);
    if (arm) {
      plan.variant = arm.name;
      // An arm's own settings win over the worker-wide ones.
      changes = { ...pickChanges(override), ...pickChanges(arm) };
    }
  }
  const next: Json = { ...body };
  let changed = false;
  if (changes.model !== undefined) {
    next.model = changes.model;
    changed = true;
  }
  if (changes.temperature !== undefined) {
    next.temperature = changes.temperature;
    changed = true;
  }
  if (changes.max_tokens !== undefined) {
    next[maxTokensField(endpoint.operation, body)] = changes.max_tokens;
    changed = true;
  }
  if (changes.prompt_variant !== undefined) {
    const variant = findVariant(changes.prompt_variant);
    if (!variant) {
      plan.warnings.push(`prompt variant "${changes.prompt_variant}" does not exist; the app's prompt was kept`);
    } else if (replaceSystemPrompt(endpoint.operation, next, variant.system_prompt)) {
      plan.promptVersion = `variant:${variant.id}`;
      plan.variant ??= variant.id;
      changed = true;
    }
  }
  if (changed) {
    plan.body = next;
    plan.bodyChanged = true;
  }
  return plan;
}

function pickChanges(source: RequestChanges): RequestChanges {
  const out: RequestChanges = {};
  if (source.model !== undefined) out.model = source.model;
  if (source.max_tokens !== undefined) out.max_tokens = source.max_tokens;
  if (source.temperature !== undefined) out.temperature = source.temperature;
  if (source.prompt_variant !== undefined) out.prompt_variant = source.prompt_variant;
  return out;
}

/** The request field that caps output: the one the app already uses, else the endpoint's usual one. */
function maxTokensField(operation: string, body: Json): string {
  if (operation === 'responses') return 'max_output_tokens';
  if (operation === 'chat' && body.max_completion_tokens !== undefined) return 'max_completion_tokens';
  return 'max_tokens';
}

/** Puts the variant's text in place of the system (or developer) message; adds one when there is none. */
function replaceSystemPrompt(operation: string, body: Json, systemPrompt: string): boolean {
  if (operation === 'responses') {
    body.instructions = systemPrompt;
    return true;
  }
  if (operation !== 'chat' || !Array.isArray(body.messages)) return false;
  const messages = (body.messages as unknown[]).slice();
  const index = messages.findIndex((message) => {
    const role = (message as Json | null)?.role;
    return role === 'system' || role === 'developer';
  });
  if (index === -1) messages.unshift({ role: 'system', content: systemPrompt });
  else messages[index] = { ...(messages[index] as Json), content: systemPrompt };
  body.messages = messages;
  return true;
}

/** The system prompt text of a request (for the prompt fingerprint), if it has one. */
export function systemPromptOf(operation: string, body: Json | null): string | null {
  if (!body) return null;
  if (operation === 'responses') return typeof body.instructions === 'string' ? body.instructions : null;
  if (!Array.isArray(body.messages)) return null;
  for (const message of body.messages as unknown[]) {
    const record = message as Json | null;
    if (record && (record.role === 'system' || record.role === 'developer')) {
      if (typeof record.content === 'string') return record.content;
      if (Array.isArray(record.content)) {
        return (record.content as unknown[])
          .map((part) => ((part as Json | null)?.type === 'text' ? String((part as Json).text ?? '') : ''))
          .join('');
      }
    }
  }
  return null;
}
