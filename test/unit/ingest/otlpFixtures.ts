// Builders for OTLP/JSON requests as exporters send them, and their protobuf twins.
import { otlpTypes } from '../../../daemon/ingest/otlp/proto';

export type Plain = string | number | boolean | null | Plain[] | { [k: string]: Plain };

/** A JS value as an OTLP/JSON AnyValue: integers become intValue (as strings, the int64 rule). */
export function anyValue(v: Plain): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (v === null) return {};
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  return { kvlistValue: { values: keyValues(v) } };
}

export function keyValues(attrs: Record<string, Plain>): Record<string, unknown>[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));
}

export interface SpanSpec {
  traceId?: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startMs: number;
  durationMs: number;
  attributes?: Record<string, Plain>;
  events?: { name: string; atMs: number; attributes?: Record<string, Plain> }[];
  status?: { code: number; message?: string };
}

export const TRACE_ID = '5b8efff798038103d269b633813fc60c';

const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

export function jsonSpan(s: SpanSpec): Record<string, unknown> {
  const span: Record<string, unknown> = {
    traceId: s.traceId ?? TRACE_ID,
    spanId: s.spanId,
    name: s.name,
    kind: s.kind ?? 1,
    startTimeUnixNano: nanos(s.startMs),
    endTimeUnixNano: nanos(s.startMs + s.durationMs),
    attributes: keyValues(s.attributes ?? {}),
    status: s.status ?? { code: 0 },
  };
  if (s.parentSpanId !== undefined) span.parentSpanId = s.parentSpanId;
  if (s.events !== undefined) {
    span.events = s.events.map((e) => ({ name: e.name, timeUnixNano: nanos(e.atMs), attributes: keyValues(e.attributes ?? {}) }));
  }
  return span;
}

export function traceRequest(spans: SpanSpec[], resource: Record<string, Plain> = { 'service.name': 'test-app' }, scope = { name: 'test-scope', version: '1.0.0' }): Record<string, unknown> {
  return { resourceSpans: [{ resource: { attributes: keyValues(resource) }, scopeSpans: [{ scope, spans: spans.map(jsonSpan) }] }] };
}

type Json = Record<string, unknown>;

/** The protobuf bytes of an OTLP/JSON trace request: hex ids become bytes, the rest maps 1:1. */
export function traceRequestToProtobuf(request: Json): Uint8Array {
  const clone = JSON.parse(JSON.stringify(request)) as Json;
  for (const rs of (clone.resourceSpans as Json[]) ?? []) {
    for (const ss of (rs.scopeSpans as Json[]) ?? []) {
      for (const span of (ss.spans as Json[]) ?? []) {
        for (const id of ['traceId', 'spanId', 'parentSpanId']) {
          if (typeof span[id] === 'string') span[id] = Buffer.from(span[id] as string, 'hex');
        }
      }
    }
  }
  const type = otlpTypes().traceRequest;
  return type.encode(type.fromObject(clone)).finish();
}

export function logsRequestToProtobuf(request: Json): Uint8Array {
  const clone = JSON.parse(JSON.stringify(request)) as Json;
  for (const rl of (clone.resourceLogs as Json[]) ?? []) {
    for (const sl of (rl.scopeLogs as Json[]) ?? []) {
      for (const log of (sl.logRecords as Json[]) ?? []) {
        for (const id of ['traceId', 'spanId']) if (typeof log[id] === 'string') log[id] = Buffer.from(log[id] as string, 'hex');
      }
    }
  }
  const type = otlpTypes().logsRequest;
  return type.encode(type.fromObject(clone)).finish();
}
