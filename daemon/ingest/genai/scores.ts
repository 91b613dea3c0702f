// Quality scores from OTel `gen_ai.evaluation.result` events (on spans or as log records) and
// from the `flowtune.quality` attribute.
//
// Normalisation rule for `value` (0..1):
//  - a min/max hint (`gen_ai.evaluation.score.min|max` or `flowtune.score.min|max`, min defaults
//    to 0) rescales the raw value onto 0..1, clamped;
//  - without a hint, a raw value already inside [0, 1] is taken as is;
//  - otherwise `value` is null and only `rawValue` is kept: a 1..5 or 0..100 scale cannot be
//    told apart from an unbounded metric, and guessing would corrupt quality averages.
// A label-only result (pass/fail) keeps value null and the label.
import type { NormalizedLogRecord } from '../otlp/normalizedTypes';
import type { Attributes } from '../otlp/normalizedTypes';
import type { ScoreRecord, ScoreSource } from '../../store/records';
import { FLOWTUNE, KEYS, firstNum, num, str } from './attributeKeys';

export function normalizeScoreValue(raw: number | undefined, min?: number, max?: number): { value: number | null; rawValue: number | null } {
  if (raw === undefined) return { value: null, rawValue: null };
  if (max !== undefined) {
    const lo = min ?? 0;
    if (max > lo) return { value: Math.min(1, Math.max(0, (raw - lo) / (max - lo))), rawValue: raw };
  }
  return { value: raw >= 0 && raw <= 1 ? raw : null, rawValue: raw };
}

/** A ScoreRecord from the attributes of a `gen_ai.evaluation.result` event or log record. */
export function evaluationScore(attrs: Attributes, target: { callId: string | null; runId: string | null }, createdAt: number): ScoreRecord {
  const { value, rawValue } = normalizeScoreValue(
    num(attrs, KEYS.evaluationScore),
    firstNum(attrs, KEYS.evaluationScoreMin),
    firstNum(attrs, KEYS.evaluationScoreMax),
  );
  return {
    callId: target.callId,
    runId: target.runId,
    name: str(attrs, KEYS.evaluationName) ?? 'evaluation',
    value,
    rawValue,
    label: str(attrs, KEYS.evaluationLabel) ?? null,
    comment: str(attrs, KEYS.evaluationExplanation) ?? null,
    source: 'otel_evaluation',
    createdAt,
  };
}

/** The `flowtune.quality` attribute on a call span as a score named "quality" (source app); null when absent. */
export function qualityAttributeScore(attrs: Attributes, callId: string, runId: string, createdAt: number): ScoreRecord | null {
  const raw = num(attrs, FLOWTUNE.quality);
  if (raw === undefined) return null;
  const { value, rawValue } = normalizeScoreValue(raw, num(attrs, FLOWTUNE.scoreMin), num(attrs, FLOWTUNE.scoreMax));
  const source: ScoreSource = 'app';
  return { callId, runId, name: 'quality', value, rawValue, label: null, comment: null, source, createdAt };
}

export interface MapLogsOptions {
  /**
   * Whether a call with this id is stored. When given and false, the score is attached to the run
   * only, because the log pointed at a span that is not a model call.
   */
  isKnownCall?: (callId: string) => boolean;
}

/**
 * Log records whose event name is `gen_ai.evaluation.result` (the event_name field or the
 * `event.name` attribute) as scores on the call `${traceId}:${spanId}`; other records are ignored.
 */
export function mapLogsToScores(logs: readonly NormalizedLogRecord[], options: MapLogsOptions = {}): ScoreRecord[] {
  const scores: ScoreRecord[] = [];
  for (const log of logs) {
    if (log.eventName !== KEYS.evaluationEvent) continue;
    let callId = log.traceId && log.spanId ? `${log.traceId}:${log.spanId}` : null;
    if (callId !== null && options.isKnownCall !== undefined && !options.isKnownCall(callId)) callId = null;
    const runId = str(log.attributes, FLOWTUNE.runId) ?? str(log.resource, FLOWTUNE.runId) ?? log.traceId ?? null;
    // The body may carry the event's fields as a map when the producer used the body, not attributes.
    const body = log.body;
    const attrs = body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...body, ...log.attributes } : log.attributes;
    scores.push(evaluationScore(attrs, { callId, runId }, log.timeMs));
  }
  return scores;
}
