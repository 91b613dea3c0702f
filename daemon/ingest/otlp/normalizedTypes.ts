// The one shape OTLP JSON and OTLP protobuf both normalise to, so the GenAI mapping never sees
// which encoding a span came in.

/** An OTLP AnyValue as a plain JS value. Bytes become base64 strings; an int64 beyond 2^53 stays a decimal string. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };

export type Attributes = Record<string, AttrValue>;

export interface NormalizedScope {
  name: string;
  version: string;
}

export interface NormalizedSpanEvent {
  name: string;
  timeMs: number;
  attributes: Attributes;
}

/** OTLP status code: 0 unset, 1 ok, 2 error. */
export interface NormalizedStatus {
  code: number;
  message: string;
}

export interface NormalizedSpan {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits. */
  spanId: string;
  /** Absent (undefined) for a root span. */
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** Unix epoch milliseconds, with the sub-millisecond part as a fraction. */
  startTimeMs: number;
  endTimeMs: number;
  attributes: Attributes;
  events: NormalizedSpanEvent[];
  status: NormalizedStatus;
  /** Shared by every span of the same ResourceSpans: do not mutate. */
  resource: Attributes;
  scope: NormalizedScope;
}

/** A span left out of the batch, with why: reported back through partial_success. */
export interface RejectedSpan {
  traceId?: string;
  spanId?: string;
  reason: string;
}

export interface NormalizedTraces {
  spans: NormalizedSpan[];
  rejected: RejectedSpan[];
}

export interface NormalizedLogRecord {
  timeMs: number;
  severityNumber: number;
  severityText: string;
  /** The LogRecord event_name field, else the `event.name` attribute; undefined when neither is set. */
  eventName?: string;
  body: AttrValue;
  attributes: Attributes;
  traceId?: string;
  spanId?: string;
  resource: Attributes;
  scope: NormalizedScope;
}

export interface RejectedLogRecord {
  reason: string;
}

export interface NormalizedLogs {
  logs: NormalizedLogRecord[];
  rejected: RejectedLogRecord[];
}

export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary' | 'unknown';

export interface NormalizedMetric {
  name: string;
  unit: string;
  type: MetricType;
  dataPoints: number;
  serviceName?: string;
}

/** Metrics are accepted and counted; spans carry what the daemon needs per call. */
export interface NormalizedMetrics {
  dataPoints: number;
  metrics: NormalizedMetric[];
}
