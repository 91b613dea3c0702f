// One model-call span to a CallRecord, reading every convention's attributes (REFERENCES B 1.4).
import { createHash } from 'node:crypto';
import type { Attributes, NormalizedSpan } from '../otlp/normalizedTypes';
import type { CallRecord, CallStatus, ContentMode, RecordSource } from '../../store/records';
import { KEYS, firstBool, firstNum, firstStr, jsonAttr, num, str, toBool, toNumber } from './attributeKeys';
import { extractInput, extractOutput, fingerprintSource, inputText } from './messages';
import { promptFingerprint } from './promptFingerprint';

export interface CallContext {
  id: string;
  runId: string;
  stepId: string | null;
  worker: string | null;
  operation: string;
  source: RecordSource;
  contentMode: ContentMode;
  /** Attributes of the nearest step, for source file/line when the call span has none. */
  stepAttributes?: Attributes;
}

/** OpenInference puts the request parameters only in this JSON string. */
function invocationParameters(attrs: Attributes): Record<string, unknown> | undefined {
  const parsed = jsonAttr(attrs[KEYS.invocationParameters]);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

const CANCELLED_ERRORS = new Set(['cancelled', 'canceled', 'AbortError', 'APIUserAbortError']);
// OpenInference instrumentations mark the first streamed token with this event.
const FIRST_TOKEN_EVENT = 'First Token Stream Event';

function finishReason(attrs: Attributes): string | undefined {
  const reasons = attrs[KEYS.finishReasons];
  if (Array.isArray(reasons) && typeof reasons[0] === 'string') return reasons[0];
  if (typeof reasons === 'string' && reasons !== '') {
    const parsed = jsonAttr(reasons);
    if (Array.isArray(parsed) && typeof parsed[0] === 'string') return parsed[0];
    return reasons;
  }
  return firstStr(attrs, KEYS.finishReasonFallback);
}

function applyContentMode(text: string | undefined, mode: ContentMode): string | null {
  if (text === undefined || mode === 'none') return null;
  if (mode === 'hash') return createHash('sha256').update(text).digest('hex');
  return text;
}

function ttftMs(span: NormalizedSpan): number | null {
  const seconds = num(span.attributes, KEYS.timeToFirstChunk);
  if (seconds !== undefined) return seconds * 1000;
  for (const e of span.events) if (e.name === FIRST_TOKEN_EVENT) return e.timeMs - span.startTimeMs;
  return null;
}

export function callFromSpan(span: NormalizedSpan, ctx: CallContext): CallRecord {
  const a = span.attributes;
  const params = a[KEYS.invocationParameters] !== undefined ? invocationParameters(a) : undefined;

  let exceptionType: string | undefined;
  let exceptionMessage: string | undefined;
  for (const e of span.events) {
    if (e.name !== 'exception') continue;
    exceptionType ??= str(e.attributes, 'exception.type');
    exceptionMessage ??= str(e.attributes, 'exception.message');
  }
  const errorTypeAttr = str(a, KEYS.errorType);
  let status: CallStatus = span.status.code === 2 || errorTypeAttr !== undefined ? 'error' : 'ok';
  const errorType = status === 'error' ? (errorTypeAttr ?? exceptionType ?? null) : null;
  if (errorType !== null && CANCELLED_ERRORS.has(errorType)) status = 'cancelled';
  const errorMessage = status !== 'ok' ? (span.status.message || exceptionMessage || null) : null;

  const input = extractInput(a);
  const fingerprintText = fingerprintSource(a, input);
  const code = firstStr(a, KEYS.sourceFile) !== undefined || ctx.stepAttributes === undefined ? a : ctx.stepAttributes;

  return {
    id: ctx.id,
    runId: ctx.runId,
    stepId: ctx.stepId,
    worker: ctx.worker,
    source: ctx.source,
    provider: firstStr(a, KEYS.provider) ?? null,
    operation: ctx.operation,
    requestModel:
      firstStr(a, KEYS.requestModel) ??
      (typeof params?.model === 'string' ? params.model : undefined) ??
      firstStr(a, KEYS.modelName) ??
      null,
    responseModel: firstStr(a, KEYS.responseModel) ?? null,
    // `?? ` and not `||`: temperature 0 is a value.
    temperature: firstNum(a, KEYS.temperature) ?? toNumber(params?.temperature) ?? null,
    maxTokens: firstNum(a, KEYS.maxTokens) ?? toNumber(params?.max_tokens) ?? toNumber(params?.max_completion_tokens) ?? null,
    topP: firstNum(a, KEYS.topP) ?? toNumber(params?.top_p) ?? null,
    stream: firstBool(a, KEYS.stream) ?? toBool(params?.stream) ?? null,
    inputTokens: firstNum(a, KEYS.inputTokens) ?? null,
    outputTokens: firstNum(a, KEYS.outputTokens) ?? null,
    cachedTokens: firstNum(a, KEYS.cachedTokens) ?? null,
    reasoningTokens: firstNum(a, KEYS.reasoningTokens) ?? null,
    costUsd: num(a, KEYS.costTotal) ?? null,
    costSource: num(a, KEYS.costTotal) !== undefined ? 'span' : null,
    startedAt: span.startTimeMs,
    latencyMs: span.endTimeMs - span.startTimeMs,
    ttftMs: ttftMs(span),
    finishReason: finishReason(a) ?? null,
    status,
    httpStatus: firstNum(a, KEYS.httpStatus) ?? null,
    errorType,
    errorMessage,
    promptId: firstStr(a, KEYS.promptId) ?? null,
    promptVersion: firstStr(a, KEYS.promptVersion) ?? null,
    promptFingerprint: fingerprintText !== undefined && fingerprintText !== '' ? promptFingerprint(fingerprintText) : null,
    sourceFile: firstStr(code, KEYS.sourceFile) ?? null,
    sourceLine: firstNum(code, KEYS.sourceLine) ?? null,
    inputText: applyContentMode(inputText(input), ctx.contentMode),
    outputText: applyContentMode(extractOutput(a), ctx.contentMode),
    traceId: span.traceId,
    spanId: span.spanId,
    responseId: firstStr(a, KEYS.responseId) ?? null,
  };
}
