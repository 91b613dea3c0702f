// OTLP log and metric requests to their normalised forms. Logs matter for the
// `gen_ai.evaluation.result` events (quality scores); metrics are only counted.
import type {
  Attributes,
  AttrValue,
  MetricType,
  NormalizedLogRecord,
  NormalizedLogs,
  NormalizedMetric,
  NormalizedMetrics,
  NormalizedScope,
  RejectedLogRecord,
} from './normalizedTypes';
import { OtlpDecodeError } from './errors';
import { parseLogsEnvelope, parseMetricsEnvelope } from './jsonEnvelope';
import { decodeLogsRequestProtobuf, decodeMetricsRequestProtobuf, type PbLogRecord, type PbMetric } from './proto';
import { idFromBytes, idFromJson, isPlainObject, jsonAnyValue, jsonAttributes, nanosToMs, pbAnyValue, pbAttributes } from './values';

function buildLog(
  timeNs: unknown,
  observedNs: unknown,
  severityNumber: number,
  severityText: string,
  fieldEventName: string,
  body: AttrValue,
  attributes: Attributes,
  traceId: string | undefined,
  spanId: string | undefined,
  resource: Attributes,
  scope: NormalizedScope,
): NormalizedLogRecord {
  const t = nanosToMs(timeNs);
  const o = nanosToMs(observedNs);
  const attrEventName = attributes['event.name'];
  const eventName = fieldEventName !== '' ? fieldEventName : typeof attrEventName === 'string' ? attrEventName : undefined;
  return {
    // time_unix_nano is optional in OTLP logs; observed time is what the collector saw.
    timeMs: t > 0 ? t : o > 0 ? o : 0,
    severityNumber,
    severityText,
    eventName,
    body,
    attributes,
    // A log's ids are optional context; an invalid one is dropped rather than failing the record.
    traceId: traceId || undefined,
    spanId: spanId || undefined,
    resource,
    scope,
  };
}

function jsonLog(raw: unknown, path: string, resource: Attributes, scope: NormalizedScope): NormalizedLogRecord {
  if (!isPlainObject(raw)) throw new OtlpDecodeError(`${path}: expected a LogRecord object`);
  const sev = raw.severityNumber;
  const text = raw.severityText;
  const eventName = raw.eventName;
  return buildLog(
    raw.timeUnixNano,
    raw.observedTimeUnixNano,
    typeof sev === 'number' ? sev : 0,
    typeof text === 'string' ? text : '',
    typeof eventName === 'string' ? eventName : '',
    jsonAnyValue(raw.body, `${path}.body`),
    jsonAttributes(raw.attributes, `${path}.attributes`),
    idFromJson(raw.traceId, 16),
    idFromJson(raw.spanId, 8),
    resource,
    scope,
  );
}

function pbLog(raw: PbLogRecord, resource: Attributes, scope: NormalizedScope): NormalizedLogRecord {
  return buildLog(
    raw.timeUnixNano,
    raw.observedTimeUnixNano,
    raw.severityNumber,
    raw.severityText,
    raw.eventName,
    pbAnyValue(raw.body),
    pbAttributes(raw.attributes),
    idFromBytes(raw.traceId, 16),
    idFromBytes(raw.spanId, 8),
    resource,
    scope,
  );
}

function rejectLog(rejected: RejectedLogRecord[], err: unknown): void {
  if (!(err instanceof OtlpDecodeError)) throw err;
  rejected.push({ reason: err.message });
}

/** An OTLP/JSON ExportLogsServiceRequest (already JSON.parse'd) to normalised log records. */
export function normalizeLogsRequestJson(body: unknown): NormalizedLogs {
  const envelope = parseLogsEnvelope(body);
  const logs: NormalizedLogRecord[] = [];
  const rejected: RejectedLogRecord[] = [];
  const resourceLogs = envelope.resourceLogs ?? [];
  for (let r = 0; r < resourceLogs.length; r++) {
    const rl = resourceLogs[r];
    const resource = jsonAttributes(rl.resource?.attributes, `resourceLogs[${r}].resource.attributes`);
    const scopeLogs = rl.scopeLogs ?? [];
    for (let s = 0; s < scopeLogs.length; s++) {
      const sl = scopeLogs[s];
      const scope: NormalizedScope = { name: sl.scope?.name ?? '', version: sl.scope?.version ?? '' };
      const list = sl.logRecords ?? [];
      for (let k = 0; k < list.length; k++) {
        try {
          logs.push(jsonLog(list[k], `resourceLogs[${r}].scopeLogs[${s}].logRecords[${k}]`, resource, scope));
        } catch (err) {
          rejectLog(rejected, err);
        }
      }
    }
  }
  return { logs, rejected };
}

/** An OTLP protobuf ExportLogsServiceRequest (uncompressed bytes) to normalised log records. */
export function normalizeLogsRequestProtobuf(buf: Uint8Array): NormalizedLogs {
  const request = decodeLogsRequestProtobuf(buf);
  const logs: NormalizedLogRecord[] = [];
  for (const rl of request.resourceLogs) {
    const resource = pbAttributes(rl.resource?.attributes);
    for (const sl of rl.scopeLogs) {
      const scope: NormalizedScope = { name: sl.scope?.name ?? '', version: sl.scope?.version ?? '' };
      for (const raw of sl.logRecords) logs.push(pbLog(raw, resource, scope));
    }
  }
  return { logs, rejected: [] };
}

const METRIC_KINDS: readonly [keyof PbMetric & string, MetricType][] = [
  ['gauge', 'gauge'],
  ['sum', 'sum'],
  ['histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram'],
  ['summary', 'summary'],
];

function countMetric(name: unknown, unit: unknown, metric: Record<string, unknown>, serviceName: string | undefined): NormalizedMetric {
  for (const [field, type] of METRIC_KINDS) {
    const data = metric[field];
    if (typeof data === 'object' && data !== null) {
      const points = (data as { dataPoints?: unknown }).dataPoints;
      return {
        name: typeof name === 'string' ? name : '',
        unit: typeof unit === 'string' ? unit : '',
        type,
        dataPoints: Array.isArray(points) ? points.length : 0,
        serviceName,
      };
    }
  }
  return { name: typeof name === 'string' ? name : '', unit: typeof unit === 'string' ? unit : '', type: 'unknown', dataPoints: 0, serviceName };
}

function serviceNameOf(resource: Attributes): string | undefined {
  const v = resource['service.name'];
  return typeof v === 'string' ? v : undefined;
}

/** An OTLP/JSON ExportMetricsServiceRequest: metrics and data points counted. */
export function normalizeMetricsRequestJson(body: unknown): NormalizedMetrics {
  const envelope = parseMetricsEnvelope(body);
  const metrics: NormalizedMetric[] = [];
  const resourceMetrics = envelope.resourceMetrics ?? [];
  for (let r = 0; r < resourceMetrics.length; r++) {
    const rm = resourceMetrics[r];
    const serviceName = serviceNameOf(jsonAttributes(rm.resource?.attributes, `resourceMetrics[${r}].resource.attributes`));
    const scopeMetrics = rm.scopeMetrics ?? [];
    for (let s = 0; s < scopeMetrics.length; s++) {
      const list = scopeMetrics[s].metrics ?? [];
      for (let k = 0; k < list.length; k++) {
        const m = list[k];
        if (!isPlainObject(m)) throw new OtlpDecodeError(`resourceMetrics[${r}].scopeMetrics[${s}].metrics[${k}]: expected a Metric object`);
        metrics.push(countMetric(m.name, m.unit, m, serviceName));
      }
    }
  }
  return { dataPoints: metrics.reduce((n, m) => n + m.dataPoints, 0), metrics };
}

/** An OTLP protobuf ExportMetricsServiceRequest: metrics and data points counted. */
export function normalizeMetricsRequestProtobuf(buf: Uint8Array): NormalizedMetrics {
  const request = decodeMetricsRequestProtobuf(buf);
  const metrics: NormalizedMetric[] = [];
  for (const rm of request.resourceMetrics) {
    const serviceName = serviceNameOf(pbAttributes(rm.resource?.attributes));
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) {
        // Only own properties tell which member of the `data` oneof was sent.
        const own: Record<string, unknown> = {};
        for (const [field] of METRIC_KINDS) if (Object.prototype.hasOwnProperty.call(m, field)) own[field] = m[field];
        metrics.push(countMetric(m.name, m.unit, own, serviceName));
      }
    }
  }
  return { dataPoints: metrics.reduce((n, m) => n + m.dataPoints, 0), metrics };
}
