// Turns one proxied exchange into the CallRecord the store keeps. The request side comes from the
// body actually sent upstream (after overrides), the response side from the response summary.
import { promptFingerprint } from '../ingest/genai/promptFingerprint';
import type { CallRecord, CallStatus } from '../store/records';
import { systemPromptOf, type Json } from './requestPlan';
import type { ResponseSummary } from './responseSummary';

export interface RequestFacts {
  callId: string;
  startedAt: number;
  worker: string | null;
  runId: string | null;
  promptId: string | null;
  promptVersion: string | null;
  retryCount: number | null;
  variant: string | null;
  operation: string;
  provider: string | null;
  /** The body as sent upstream (overrides applied, before usage injection). */
  body: Json | null;
}

export interface OutcomeFacts {
  status: CallStatus;
  httpStatus: number | null;
  latencyMs: number;
  ttftMs: number | null;
  summary: ResponseSummary;
  errorType?: string | null;
  errorMessage?: string | null;
  cacheHit: boolean;
}

const PROVIDER_HOSTS: Array<[RegExp, string]> = [
  [/(^|\.)api\.openai\.com$/, 'openai'],
  [/\.openai\.azure\.com$/, 'azure'],
  [/(^|\.)openrouter\.ai$/, 'openrouter'],
  [/(^|\.)api\.groq\.com$/, 'groq'],
  [/(^|\.)api\.deepseek\.com$/, 'deepseek'],
  [/(^|\.)api\.x\.ai$/, 'xai'],
  [/(^|\.)api\.mistral\.ai$/, 'mistral'],
  [/(^|\.)generativelanguage\.googleapis\.com$/, 'gemini'],
  [/(^|\.)api\.anthropic\.com$/, 'anthropic'],
];

const providerByUpstream = new Map<string, string | null>();

/** The provider behind an upstream base URL, when it is a known one (it picks the price-table prefix). */
export function providerForUpstream(upstream: string): string | null {
  const known = providerByUpstream.get(upstream);
  if (known !== undefined) return known;
  const provider = providerForHost(upstream);
  if (providerByUpstream.size >= 64) providerByUpstream.clear();
  providerByUpstream.set(upstream, provider);
  return provider;
}

function providerForHost(upstream: string): string | null {
  let host: string;
  try {
    host = new URL(upstream).hostname.toLowerCase();
  } catch {
    return null;
  }
  for (const [pattern, provider] of PROVIDER_HOSTS) if (pattern.test(host)) return provider;
  return null;
}

function numberField(body: Json | null, ...names: string[]): number | null {
  for (const name of names) {
    const value = body?.[name];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return null;
}

/** The text that went in: chat messages as JSON, a Responses or embeddings input as given. */
export function inputTextOf(operation: string, body: Json | null): string | null {
  if (!body) return null;
  if (operation === 'chat') return body.messages === undefined ? null : JSON.stringify(body.messages);
  const input = operation === 'text_completion' ? body.prompt : body.input;
  if (input === undefined) return null;
  return typeof input === 'string' ? input : JSON.stringify(input);
}

export function buildCallRecord(request: RequestFacts, outcome: OutcomeFacts): CallRecord {
  const { body, operation } = request;
  const summary = outcome.summary;
  const systemPrompt = systemPromptOf(operation, body);
  const record: CallRecord = {
    id: request.callId,
    runId: request.runId,
    worker: request.worker,
    source: 'proxy',
    provider: request.provider,
    operation,
    requestModel: typeof body?.model === 'string' ? body.model : null,
    responseModel: summary.responseModel,
    responseId: summary.responseId,
    temperature: numberField(body, 'temperature'),
    maxTokens: numberField(body, 'max_tokens', 'max_completion_tokens', 'max_output_tokens'),
    topP: numberField(body, 'top_p'),
    stream: body ? body.stream === true : null,
    inputTokens: summary.inputTokens,
    outputTokens: summary.outputTokens,
    cachedTokens: summary.cachedTokens,
    reasoningTokens: summary.reasoningTokens,
    // Left empty so the store prices it from its table; a cache hit cost nothing.
    costUsd: outcome.cacheHit ? 0 : null,
    costSource: outcome.cacheHit ? 'cache_hit' : null,
    startedAt: request.startedAt,
    latencyMs: outcome.latencyMs,
    ttftMs: outcome.ttftMs,
    finishReason: summary.finishReason,
    status: outcome.status,
    httpStatus: outcome.httpStatus,
    errorType: outcome.errorType ?? summary.errorType,
    errorMessage: outcome.errorMessage ?? summary.errorMessage,
    promptId: request.promptId,
    promptVersion: request.promptVersion,
    promptFingerprint: systemPrompt ? promptFingerprint(systemPrompt) : null,
    inputText: inputTextOf(operation, body),
    outputText: summary.outputText,
    cacheHit: outcome.cacheHit,
    variant: request.variant,
    retryCount: request.retryCount,
  };
  return record;
}
