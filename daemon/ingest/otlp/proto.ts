// OTLP protobuf messages for the receiver: request decoders and response encoders.
// The proto text is a subset written from opentelemetry-proto (common/v1, resource/v1, trace/v1,
// logs/v1, metrics/v1 and the collector service requests); field numbers match upstream, so
// fields we do not declare are skipped by the decoder as unknown fields.
import protobuf from 'protobufjs';
import { OtlpDecodeError } from './errors';

const OTLP_PROTO = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4;
}
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  message Event {
    fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4;
  }
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  message Link {
    bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5; fixed32 flags = 6;
  }
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message Status { string message = 2; int32 code = 3; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }

message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message LogRecord {
  fixed64 time_unix_nano = 1;
  fixed64 observed_time_unix_nano = 11;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  string event_name = 12;
}
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }

message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message Metric {
  string name = 1;
  string description = 2;
  string unit = 3;
  oneof data {
    Gauge gauge = 5;
    Sum sum = 7;
    Histogram histogram = 9;
    ExponentialHistogram exponential_histogram = 10;
    Summary summary = 11;
  }
}
// Data points are declared with their identifying fields only: the daemon counts them and reads
// a point's attributes and time; values are not used yet.
message AttributedDataPoint7 { repeated KeyValue attributes = 7; fixed64 time_unix_nano = 3; }
message AttributedDataPoint9 { repeated KeyValue attributes = 9; fixed64 time_unix_nano = 3; }
message AttributedDataPoint1 { repeated KeyValue attributes = 1; fixed64 time_unix_nano = 3; }
message Gauge { repeated AttributedDataPoint7 data_points = 1; }
message Sum { repeated AttributedDataPoint7 data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated AttributedDataPoint9 data_points = 1; int32 aggregation_temporality = 2; }
message ExponentialHistogram { repeated AttributedDataPoint1 data_points = 1; int32 aggregation_temporality = 2; }
message Summary { repeated AttributedDataPoint7 data_points = 1; }
message ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }
`;

/** Decoded protobuf values as protobufjs hands them over: int64 as Long (or number without long.js). */
export interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
}
export type Int64Wire = LongLike | number | string;

export interface PbAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: Int64Wire;
  doubleValue?: number;
  arrayValue?: { values: PbAnyValue[] } | null;
  kvlistValue?: { values: PbKeyValue[] } | null;
  bytesValue?: Uint8Array;
}
export interface PbKeyValue {
  key: string;
  value?: PbAnyValue | null;
}
export interface PbScope {
  name: string;
  version: string;
}
export interface PbResource {
  attributes: PbKeyValue[];
}
export interface PbSpanEvent {
  timeUnixNano: Int64Wire;
  name: string;
  attributes: PbKeyValue[];
}
export interface PbSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: Int64Wire;
  endTimeUnixNano: Int64Wire;
  attributes: PbKeyValue[];
  events: PbSpanEvent[];
  status?: { message: string; code: number } | null;
}
export interface PbTraceRequest {
  resourceSpans: { resource?: PbResource | null; scopeSpans: { scope?: PbScope | null; spans: PbSpan[] }[] }[];
}
export interface PbLogRecord {
  timeUnixNano: Int64Wire;
  observedTimeUnixNano: Int64Wire;
  severityNumber: number;
  severityText: string;
  body?: PbAnyValue | null;
  attributes: PbKeyValue[];
  traceId: Uint8Array;
  spanId: Uint8Array;
  eventName: string;
}
export interface PbLogsRequest {
  resourceLogs: { resource?: PbResource | null; scopeLogs: { scope?: PbScope | null; logRecords: PbLogRecord[] }[] }[];
}
export interface PbDataPoint {
  attributes: PbKeyValue[];
  timeUnixNano: Int64Wire;
}
export interface PbMetric {
  name: string;
  unit: string;
  gauge?: { dataPoints: PbDataPoint[] } | null;
  sum?: { dataPoints: PbDataPoint[] } | null;
  histogram?: { dataPoints: PbDataPoint[] } | null;
  exponentialHistogram?: { dataPoints: PbDataPoint[] } | null;
  summary?: { dataPoints: PbDataPoint[] } | null;
}
export interface PbMetricsRequest {
  resourceMetrics: { resource?: PbResource | null; scopeMetrics: { scope?: PbScope | null; metrics: PbMetric[] }[] }[];
}

/** What a receiver reports back when it kept only part of a request. */
export interface PartialSuccess {
  rejected: number;
  errorMessage: string;
}

interface OtlpTypes {
  traceRequest: protobuf.Type;
  traceResponse: protobuf.Type;
  logsRequest: protobuf.Type;
  logsResponse: protobuf.Type;
  metricsRequest: protobuf.Type;
  metricsResponse: protobuf.Type;
}

let types: OtlpTypes | undefined;

/** Parses the proto text on first use only: the daemon may never receive protobuf. */
export function otlpTypes(): OtlpTypes {
  if (types === undefined) {
    const root = protobuf.parse(OTLP_PROTO).root;
    types = {
      traceRequest: root.lookupType('otlp.ExportTraceServiceRequest'),
      traceResponse: root.lookupType('otlp.ExportTraceServiceResponse'),
      logsRequest: root.lookupType('otlp.ExportLogsServiceRequest'),
      logsResponse: root.lookupType('otlp.ExportLogsServiceResponse'),
      metricsRequest: root.lookupType('otlp.ExportMetricsServiceRequest'),
      metricsResponse: root.lookupType('otlp.ExportMetricsServiceResponse'),
    };
  }
  return types;
}

function decodeWith<T>(type: protobuf.Type, buf: Uint8Array, what: string): T {
  try {
    return type.decode(buf) as unknown as T;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new OtlpDecodeError(`invalid protobuf ${what}: ${reason}`);
  }
}

export function decodeTraceRequestProtobuf(buf: Uint8Array): PbTraceRequest {
  return decodeWith<PbTraceRequest>(otlpTypes().traceRequest, buf, 'ExportTraceServiceRequest');
}

export function decodeLogsRequestProtobuf(buf: Uint8Array): PbLogsRequest {
  return decodeWith<PbLogsRequest>(otlpTypes().logsRequest, buf, 'ExportLogsServiceRequest');
}

export function decodeMetricsRequestProtobuf(buf: Uint8Array): PbMetricsRequest {
  return decodeWith<PbMetricsRequest>(otlpTypes().metricsRequest, buf, 'ExportMetricsServiceRequest');
}

const EMPTY = new Uint8Array(0);

// A fully successful export is answered with an empty message, which encodes to zero bytes.
function encodeResponse(type: protobuf.Type, countField: string, partial?: PartialSuccess): Uint8Array {
  if (partial === undefined || (partial.rejected === 0 && partial.errorMessage === '')) return EMPTY;
  const message = type.fromObject({
    partialSuccess: { [countField]: partial.rejected, errorMessage: partial.errorMessage },
  });
  return type.encode(message).finish();
}

export function encodeTraceResponseProtobuf(partial?: PartialSuccess): Uint8Array {
  return encodeResponse(otlpTypes().traceResponse, 'rejectedSpans', partial);
}

export function encodeLogsResponseProtobuf(partial?: PartialSuccess): Uint8Array {
  return encodeResponse(otlpTypes().logsResponse, 'rejectedLogRecords', partial);
}

export function encodeMetricsResponseProtobuf(partial?: PartialSuccess): Uint8Array {
  return encodeResponse(otlpTypes().metricsResponse, 'rejectedDataPoints', partial);
}

/** The JSON form of the same responses: `{}` on full success; int64 counts as decimal strings (proto3 JSON). */
export function traceResponseJson(partial?: PartialSuccess): Record<string, unknown> {
  return responseJson('rejectedSpans', partial);
}

export function logsResponseJson(partial?: PartialSuccess): Record<string, unknown> {
  return responseJson('rejectedLogRecords', partial);
}

export function metricsResponseJson(partial?: PartialSuccess): Record<string, unknown> {
  return responseJson('rejectedDataPoints', partial);
}

function responseJson(countField: string, partial?: PartialSuccess): Record<string, unknown> {
  if (partial === undefined || (partial.rejected === 0 && partial.errorMessage === '')) return {};
  return { partialSuccess: { [countField]: String(partial.rejected), errorMessage: partial.errorMessage } };
}
