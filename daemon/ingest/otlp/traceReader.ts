// A direct protobuf reader for ExportTraceServiceRequest, the receiver's hot path: it walks the
// wire format with protobufjs's Reader and builds normalised spans straight away, without the
// intermediate message objects (one per KeyValue and AnyValue, a Long per timestamp) and the
// strict JS-side UTF-8 check of the generic decoder, which cost about twice the mapping itself.
// Field numbers are those of the proto text in proto.ts; the generic decoder there stays the
// reference the tests compare this reader with. Invalid UTF-8 becomes U+FFFD instead of failing.
import protobuf from 'protobufjs';
import type { AttrValue, Attributes, NormalizedScope, NormalizedSpanEvent, NormalizedStatus } from './normalizedTypes';
import { OtlpDecodeError } from './errors';
import { int64Value, nanosPartsToMs } from './values';

type Reader = protobuf.Reader;

// Tags are (field number << 3) | wire type; 2 = length-delimited, 0 = varint, 1 = 64-bit.
const LEN = 2;
const VARINT = 0;
const I64 = 1;
const tag = (field: number, wire: number): number => (field << 3) | wire;

const T_RESOURCE_SPANS = tag(1, LEN);
const T_RS_RESOURCE = tag(1, LEN);
const T_RS_SCOPE_SPANS = tag(2, LEN);
const T_RESOURCE_ATTRS = tag(1, LEN);
const T_SS_SCOPE = tag(1, LEN);
const T_SS_SPANS = tag(2, LEN);
const T_SCOPE_NAME = tag(1, LEN);
const T_SCOPE_VERSION = tag(2, LEN);
const T_SPAN_TRACE_ID = tag(1, LEN);
const T_SPAN_SPAN_ID = tag(2, LEN);
const T_SPAN_PARENT = tag(4, LEN);
const T_SPAN_NAME = tag(5, LEN);
const T_SPAN_KIND = tag(6, VARINT);
const T_SPAN_START = tag(7, I64);
const T_SPAN_END = tag(8, I64);
const T_SPAN_ATTRS = tag(9, LEN);
const T_SPAN_EVENTS = tag(11, LEN);
const T_SPAN_STATUS = tag(15, LEN);
const T_EVENT_TIME = tag(1, I64);
const T_EVENT_NAME = tag(2, LEN);
const T_EVENT_ATTRS = tag(3, LEN);
const T_STATUS_MESSAGE = tag(2, LEN);
const T_STATUS_CODE = tag(3, VARINT);
const T_KV_KEY = tag(1, LEN);
const T_KV_VALUE = tag(2, LEN);
const T_ANY_STRING = tag(1, LEN);
const T_ANY_BOOL = tag(2, VARINT);
const T_ANY_INT = tag(3, VARINT);
const T_ANY_DOUBLE = tag(4, I64);
const T_ANY_ARRAY = tag(5, LEN);
const T_ANY_KVLIST = tag(6, LEN);
const T_ANY_BYTES = tag(7, LEN);
const T_LIST_VALUES = tag(1, LEN);

/** The fields of a span as read from the wire, before validation (ids as raw bytes). */
export interface WireSpan {
  traceId: Uint8Array | undefined;
  spanId: Uint8Array | undefined;
  parentSpanId: Uint8Array | undefined;
  name: string;
  kind: number;
  startTimeMs: number;
  endTimeMs: number;
  attributes: Attributes;
  events: NormalizedSpanEvent[];
  status: NormalizedStatus;
}

export interface WireScopeSpans {
  resource: Attributes;
  scope: NormalizedScope;
  spans: WireSpan[];
}

function readFixed64Ms(r: Reader): number {
  const low = r.fixed32();
  const high = r.fixed32();
  return nanosPartsToMs(low, high);
}

function readAnyValue(r: Reader, end: number): AttrValue {
  let value: AttrValue = null;
  while (r.pos < end) {
    const t = r.uint32();
    if (t === T_ANY_STRING) value = r.string();
    else if (t === T_ANY_INT) value = int64Value(r.int64());
    else if (t === T_ANY_DOUBLE) value = r.double();
    else if (t === T_ANY_BOOL) value = r.bool();
    else if (t === T_ANY_ARRAY) value = readArray(r, r.uint32() + r.pos);
    else if (t === T_ANY_KVLIST) value = readKeyValues(r, r.uint32() + r.pos, {});
    else if (t === T_ANY_BYTES) value = Buffer.from(r.bytes()).toString('base64');
    else r.skipType(t & 7);
  }
  return value;
}

function readArray(r: Reader, end: number): AttrValue[] {
  const out: AttrValue[] = [];
  while (r.pos < end) {
    const t = r.uint32();
    if (t === T_LIST_VALUES) out.push(readAnyValue(r, r.uint32() + r.pos));
    else r.skipType(t & 7);
  }
  return out;
}

function readKeyValue(r: Reader, end: number, into: Attributes): void {
  let key = '';
  let value: AttrValue = null;
  while (r.pos < end) {
    const t = r.uint32();
    if (t === T_KV_KEY) key = r.string();
    else if (t === T_KV_VALUE) value = readAnyValue(r, r.uint32() + r.pos);
    else r.skipType(t & 7);
  }
  // Assigning "__proto__" would replace the object's prototype instead of adding a key.
  if (key !== '__proto__') into[key] = value;
}

/** A KeyValueList body (repeated field 1) into `into`. */
function readKeyValues(r: Reader, end: number, into: Attributes): Attributes {
  while (r.pos < end) {
    const t = r.uint32();
    if (t === T_LIST_VALUES) readKeyValue(r, r.uint32() + r.pos, into);
    else r.skipType(t & 7);
  }
  return into;
}

function readEvent(r: Reader, end: number): NormalizedSpanEvent {
  const event: NormalizedSpanEvent = { name: '', timeMs: 0, attributes: {} };
  while (r.pos < end) {
    const t = r.uint32();
    if (t === T_EVENT_TIME) event.timeMs = readFixed64Ms(r);
    else if (t === T_EVENT_NAME) event.name = r.string();
    else if (t === T_EVENT_ATTRS) readKeyValue(r, r.uint32() + r.pos, event.attributes);
    else r.skipType(t & 7);
  }
  return event;
}

function readStatus(r: Reader, end: number): NormalizedStatus {
  const status: NormalizedStatus = { code: 0, message: '' };
  while (r.pos < end) {
    const t = r.uint32();
    if (t === T_STATUS_MESSAGE) status.message = r.string();
    else if (t === T_STATUS_CODE) status.code = r.int32();
    else r.skipType(t & 7);
  }
  return status;
}

function readSpan(r: Reader, end: number): WireSpan {
  const span: WireSpan = {
    traceId: undefined,
    spanId: undefined,
    parentSpanId: undefined,
    name: '',
    kind: 0,
    startTimeMs: NaN,
    endTimeMs: NaN,
    attributes: {},
    events: [],
    status: { code: 0, message: '' },
  };
  while (r.pos < end) {
    const t = r.uint32();
    switch (t) {
      case T_SPAN_TRACE_ID: span.traceId = r.bytes(); break;
      case T_SPAN_SPAN_ID: span.spanId = r.bytes(); break;
      case T_SPAN_PARENT: span.parentSpanId = r.bytes(); break;
      case T_SPAN_NAME: span.name = r.string(); break;
      case T_SPAN_KIND: span.kind = r.int32(); break;
      case T_SPAN_START: span.startTimeMs = readFixed64Ms(r); break;
      case T_SPAN_END: span.endTimeMs = readFixed64Ms(r); break;
      case T_SPAN_ATTRS: readKeyValue(r, r.uint32() + r.pos, span.attributes); break;
      case T_SPAN_EVENTS: span.events.push(readEvent(r, r.uint32() + r.pos)); break;
      case T_SPAN_STATUS: span.status = readStatus(r, r.uint32() + r.pos); break;
      default: r.skipType(t & 7);
    }
  }
  return span;
}

function readScope(r: Reader, end: number): NormalizedScope {
  const scope: NormalizedScope = { name: '', version: '' };
  while (r.pos < end) {
    const t = r.uint32();
    if (t === T_SCOPE_NAME) scope.name = r.string();
    else if (t === T_SCOPE_VERSION) scope.version = r.string();
    else r.skipType(t & 7);
  }
  return scope;
}

function readResource(r: Reader, end: number, into: Attributes): void {
  while (r.pos < end) {
    const t = r.uint32();
    if (t === T_RESOURCE_ATTRS) readKeyValue(r, r.uint32() + r.pos, into);
    else r.skipType(t & 7);
  }
}

function readScopeSpans(r: Reader, end: number, resource: Attributes): WireScopeSpans {
  const group: WireScopeSpans = { resource, scope: { name: '', version: '' }, spans: [] };
  while (r.pos < end) {
    const t = r.uint32();
    if (t === T_SS_SCOPE) group.scope = readScope(r, r.uint32() + r.pos);
    else if (t === T_SS_SPANS) group.spans.push(readSpan(r, r.uint32() + r.pos));
    else r.skipType(t & 7);
  }
  return group;
}

function readResourceSpans(r: Reader, end: number, out: WireScopeSpans[]): void {
  // The resource usually precedes its scope spans but the wire format does not promise it, so the
  // groups share one attributes object that is filled whenever the resource field appears.
  const resource: Attributes = {};
  while (r.pos < end) {
    const t = r.uint32();
    if (t === T_RS_RESOURCE) readResource(r, r.uint32() + r.pos, resource);
    else if (t === T_RS_SCOPE_SPANS) out.push(readScopeSpans(r, r.uint32() + r.pos, resource));
    else r.skipType(t & 7);
  }
}

/** Reads an uncompressed ExportTraceServiceRequest; throws OtlpDecodeError for malformed bytes. */
export function readTraceRequest(buf: Uint8Array): WireScopeSpans[] {
  const bytes = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const r = protobuf.Reader.create(bytes);
  const out: WireScopeSpans[] = [];
  try {
    while (r.pos < r.len) {
      const t = r.uint32();
      if (t === T_RESOURCE_SPANS) {
        const end = r.uint32() + r.pos;
        if (end > r.len) throw new RangeError(`length ${end - r.pos} runs past the end of the message`);
        readResourceSpans(r, end, out);
      } else r.skipType(t & 7);
    }
    if (r.pos !== r.len) throw new RangeError('a field runs past the end of the message');
  } catch (err) {
    if (err instanceof OtlpDecodeError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new OtlpDecodeError(`invalid protobuf ExportTraceServiceRequest: ${reason}`);
  }
  return out;
}
