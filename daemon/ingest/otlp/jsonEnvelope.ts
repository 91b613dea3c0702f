// The outer structure of OTLP/JSON requests, checked with zod. Lenient on purpose: unknown fields
// are ignored (the OTLP spec requires it) and every level may be absent. Spans, log records and
// attribute lists are left as `unknown` here and checked by hand in one pass while normalising,
// because a schema walk over every attribute of every span costs more than the mapping itself.
import { z } from 'zod';
import { OtlpDecodeError } from './errors';

const scopeSchema = z
  .object({ name: z.string().nullish(), version: z.string().nullish() })
  .nullish();
const resourceSchema = z.object({ attributes: z.array(z.unknown()).nullish() }).nullish();
const itemsSchema = z.array(z.unknown()).nullish();

const traceRequestSchema = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: resourceSchema,
        scopeSpans: z.array(z.object({ scope: scopeSchema, spans: itemsSchema })).nullish(),
      }),
    )
    .nullish(),
});

const logsRequestSchema = z.object({
  resourceLogs: z
    .array(
      z.object({
        resource: resourceSchema,
        scopeLogs: z.array(z.object({ scope: scopeSchema, logRecords: itemsSchema })).nullish(),
      }),
    )
    .nullish(),
});

const metricsRequestSchema = z.object({
  resourceMetrics: z
    .array(
      z.object({
        resource: resourceSchema,
        scopeMetrics: z.array(z.object({ scope: scopeSchema, metrics: itemsSchema })).nullish(),
      }),
    )
    .nullish(),
});

export type TraceRequestEnvelope = z.infer<typeof traceRequestSchema>;
export type LogsRequestEnvelope = z.infer<typeof logsRequestSchema>;
export type MetricsRequestEnvelope = z.infer<typeof metricsRequestSchema>;

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out === '' ? 'request body' : out;
}

function parseWith<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new OtlpDecodeError(`invalid OTLP/JSON ${what}: ${formatPath(issue.path)}: ${issue.message}`);
}

export function parseTraceEnvelope(body: unknown): TraceRequestEnvelope {
  return parseWith(traceRequestSchema, body, 'ExportTraceServiceRequest');
}

export function parseLogsEnvelope(body: unknown): LogsRequestEnvelope {
  return parseWith(logsRequestSchema, body, 'ExportLogsServiceRequest');
}

export function parseMetricsEnvelope(body: unknown): MetricsRequestEnvelope {
  return parseWith(metricsRequestSchema, body, 'ExportMetricsServiceRequest');
}
