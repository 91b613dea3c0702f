// OTLP trace requests (JSON already parsed, or protobuf bytes) to NormalizedSpan[].
// A malformed envelope throws OtlpDecodeError (answer 400); a problem inside one span rejects
// that span only, with a reason, so its siblings are kept (answer 200 with partial_success).
import type {
  Attributes,
  NormalizedScope,
  NormalizedSpan,
  NormalizedSpanEvent,
  NormalizedStatus,
  NormalizedTraces,
  RejectedSpan,
} from './normalizedTypes';
import { OtlpDecodeError } from './errors';
import { parseTraceEnvelope } from './jsonEnvelope';
import { decodeTraceRequestProtobuf, type PbSpan } from './proto';
import { readTraceRequest, type WireSpan } from './traceReader';
import { idFromBytes, idFromJson, isPlainObject, jsonAttributes, nanosToMs, pbAttributes } from './values';

const SPAN_KIND_NAMES: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODE_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/** Thrown inside one span's conversion; caught by the loop and turned into a rejection. */
class SpanProblem extends Error {}

interface SpanParts {
  traceId: string | undefined;
  spanId: string | undefined;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  startTimeMs: number;
  endTimeMs: number;
  attributes: Attributes;
  events: NormalizedSpanEvent[];
  status: NormalizedStatus;
}

// Both encodings build their spans here, so the objects have the same keys in the same order.
function buildSpan(p: SpanParts, resource: Attributes, scope: NormalizedScope): NormalizedSpan {
  if (p.traceId === undefined) throw new SpanProblem('invalid traceId (expected 16 bytes, hex in JSON)');
  if (p.traceId === '') throw new SpanProblem('missing traceId');
  if (p.spanId === undefined) throw new SpanProblem('invalid spanId (expected 8 bytes, hex in JSON)');
  if (p.spanId === '') throw new SpanProblem('missing spanId');
  if (p.parentSpanId === undefined) throw new SpanProblem('invalid parentSpanId (expected 8 bytes, hex in JSON)');
  if (!(p.startTimeMs > 0)) throw new SpanProblem('missing or invalid startTimeUnixNano');
  if (!(p.endTimeMs > 0)) throw new SpanProblem('missing or invalid endTimeUnixNano');
  if (p.endTimeMs < p.startTimeMs) throw new SpanProblem('endTimeUnixNano is before startTimeUnixNano');
  return {
    traceId: p.traceId,
    spanId: p.spanId,
    parentSpanId: p.parentSpanId === '' ? undefined : p.parentSpanId,
    name: p.name,
    kind: p.kind,
    startTimeMs: p.startTimeMs,
    endTimeMs: p.endTimeMs,
    attributes: p.attributes,
    events: p.events,
    status: p.status,
    resource,
    scope,
  };
}

function reject(rejected: RejectedSpan[], traceId: string | undefined, spanId: string | undefined, err: unknown): void {
  if (!(err instanceof SpanProblem) && !(err instanceof OtlpDecodeError)) throw err;
  const r: RejectedSpan = { reason: err.message };
  if (traceId) r.traceId = traceId;
  if (spanId) r.spanId = spanId;
  rejected.push(r);
}

// ---------------------------------------------------------------- JSON

function jsonEnum(v: unknown, names: Record<string, number>, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  // The spec says integers only; the enum names cost nothing to accept.
  if (typeof v === 'string' && names[v] !== undefined) return names[v];
  throw new SpanProblem(`${path}: expected an integer enum value`);
}

function jsonString(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new SpanProblem(`${path}: expected a string`);
  return v;
}

function jsonTime(v: unknown): number {
  // A JSON body never holds a Long; objects are malformed times.
  return typeof v === 'object' ? NaN : nanosToMs(v);
}

function jsonEvents(list: unknown, path: string, fallbackMs: number): NormalizedSpanEvent[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new SpanProblem(`${path}: expected an array`);
  const out: NormalizedSpanEvent[] = new Array(list.length);
  for (let k = 0; k < list.length; k++) {
    const e: unknown = list[k];
    if (!isPlainObject(e)) throw new SpanProblem(`${path}[${k}]: expected an object`);
    const t = jsonTime(e.timeUnixNano);
    out[k] = {
      name: jsonString(e.name, `${path}[${k}].name`),
      timeMs: t > 0 ? t : fallbackMs,
      attributes: jsonAttributes(e.attributes, `${path}[${k}].attributes`),
    };
  }
  return out;
}

function jsonStatus(v: unknown, path: string): NormalizedStatus {
  if (v === undefined || v === null) return { code: 0, message: '' };
  if (!isPlainObject(v)) throw new SpanProblem(`${path}: expected an object`);
  return { code: jsonEnum(v.code, STATUS_CODE_NAMES, `${path}.code`), message: jsonString(v.message, `${path}.message`) };
}

function jsonSpan(raw: unknown, path: string, resource: Attributes, scope: NormalizedScope): NormalizedSpan {
  if (!isPlainObject(raw)) throw new SpanProblem(`${path}: expected a Span object`);
  const startTimeMs = jsonTime(raw.startTimeUnixNano);
  return buildSpan(
    {
      traceId: idFromJson(raw.traceId, 16),
      spanId: idFromJson(raw.spanId, 8),
      parentSpanId: idFromJson(raw.parentSpanId, 8),
      name: jsonString(raw.name, `${path}.name`),
      kind: jsonEnum(raw.kind, SPAN_KIND_NAMES, `${path}.kind`),
      startTimeMs,
      endTimeMs: jsonTime(raw.endTimeUnixNano),
      attributes: jsonAttributes(raw.attributes, `${path}.attributes`),
      events: jsonEvents(raw.events, `${path}.events`, startTimeMs),
      status: jsonStatus(raw.status, `${path}.status`),
    },
    resource,
    scope,
  );
}

/** An OTLP/JSON ExportTraceServiceRequest (already JSON.parse'd) to normalised spans. */
export function normalizeTraceRequestJson(body: unknown): NormalizedTraces {
  const envelope = parseTraceEnvelope(body);
  const spans: NormalizedSpan[] = [];
  const rejected: RejectedSpan[] = [];
  const resourceSpans = envelope.resourceSpans ?? [];
  for (let r = 0; r < resourceSpans.length; r++) {
    const rs = resourceSpans[r];
    const resource = jsonAttributes(rs.resource?.attributes, `resourceSpans[${r}].resource.attributes`);
    const scopeSpans = rs.scopeSpans ?? [];
    for (let s = 0; s < scopeSpans.length; s++) {
      const ss = scopeSpans[s];
      const scope: NormalizedScope = { name: ss.scope?.name ?? '', version: ss.scope?.version ?? '' };
      const list = ss.spans ?? [];
      for (let k = 0; k < list.length; k++) {
        const raw = list[k];
        try {
          spans.push(jsonSpan(raw, `resourceSpans[${r}].scopeSpans[${s}].spans[${k}]`, resource, scope));
        } catch (err) {
          const ids = isPlainObject(raw) ? raw : {};
          reject(rejected, typeof ids.traceId === 'string' ? ids.traceId : undefined, typeof ids.spanId === 'string' ? ids.spanId : undefined, err);
        }
      }
    }
  }
  return { spans, rejected };
}

// ---------------------------------------------------------------- protobuf

function pbSpan(raw: PbSpan, resource: Attributes, scope: NormalizedScope): NormalizedSpan {
  const startTimeMs = nanosToMs(raw.startTimeUnixNano);
  const events: NormalizedSpanEvent[] = new Array(raw.events.length);
  for (let k = 0; k < raw.events.length; k++) {
    const e = raw.events[k];
    const t = nanosToMs(e.timeUnixNano);
    events[k] = { name: e.name, timeMs: t > 0 ? t : startTimeMs, attributes: pbAttributes(e.attributes) };
  }
  return buildSpan(
    {
      traceId: idFromBytes(raw.traceId, 16),
      spanId: idFromBytes(raw.spanId, 8),
      parentSpanId: idFromBytes(raw.parentSpanId, 8),
      name: raw.name,
      kind: raw.kind,
      startTimeMs,
      endTimeMs: nanosToMs(raw.endTimeUnixNano),
      attributes: pbAttributes(raw.attributes),
      events,
      status: raw.status ? { code: raw.status.code, message: raw.status.message } : { code: 0, message: '' },
    },
    resource,
    scope,
  );
}

function hexOrUndefined(b: Uint8Array | undefined): string | undefined {
  return b && b.length > 0 ? Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex') : undefined;
}

/** An OTLP protobuf ExportTraceServiceRequest (uncompressed bytes) to normalised spans: the fast reader. */
export function normalizeTraceRequestProtobuf(buf: Uint8Array): NormalizedTraces {
  const spans: NormalizedSpan[] = [];
  const rejected: RejectedSpan[] = [];
  for (const group of readTraceRequest(buf)) {
    for (const raw of group.spans) {
      try {
        spans.push(wireSpan(raw, group.resource, group.scope));
      } catch (err) {
        reject(rejected, hexOrUndefined(raw.traceId), hexOrUndefined(raw.spanId), err);
      }
    }
  }
  return { spans, rejected };
}

function wireSpan(raw: WireSpan, resource: Attributes, scope: NormalizedScope): NormalizedSpan {
  for (const e of raw.events) if (!(e.timeMs > 0)) e.timeMs = raw.startTimeMs;
  return buildSpan(
    {
      traceId: idFromBytes(raw.traceId, 16),
      spanId: idFromBytes(raw.spanId, 8),
      parentSpanId: idFromBytes(raw.parentSpanId, 8),
      name: raw.name,
      kind: raw.kind,
      startTimeMs: raw.startTimeMs,
      endTimeMs: raw.endTimeMs,
      attributes: raw.attributes,
      events: raw.events,
      status: raw.status,
    },
    resource,
    scope,
  );
}

/**
 * The same result through protobufjs's generic decoder (slower; strict UTF-8). Kept as the
 * reference implementation the fast reader is tested against.
 */
export function normalizeTraceRequestProtobufGeneric(buf: Uint8Array): NormalizedTraces {
  const request = decodeTraceRequestProtobuf(buf);
  const spans: NormalizedSpan[] = [];
  const rejected: RejectedSpan[] = [];
  for (const rs of request.resourceSpans) {
    const resource = pbAttributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans) {
      const scope: NormalizedScope = { name: ss.scope?.name ?? '', version: ss.scope?.version ?? '' };
      for (const raw of ss.spans) {
        try {
          spans.push(pbSpan(raw, resource, scope));
        } catch (err) {
          reject(rejected, hexOrUndefined(raw.traceId), hexOrUndefined(raw.spanId), err);
        }
      }
    }
  }
  return { spans, rejected };
}

/** The partial_success error message for a set of rejections: the count and the first few reasons. */
export function describeRejections(rejected: readonly { reason: string }[], limit = 3): string {
  if (rejected.length === 0) return '';
  const shown = rejected.slice(0, limit).map((r) => r.reason);
  const more = rejected.length > limit ? `; and ${rejected.length - limit} more` : '';
  return `${rejected.length} rejected: ${shown.join('; ')}${more}`;
}
