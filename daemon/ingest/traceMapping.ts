// One OTLP trace export request, decoded and mapped to a store batch: the CPU-heavy half of
// POST /v1/traces, shared by the mapping worker thread and the in-thread fallback. The result is
// plain data (it crosses threads by structured clone); errors come back as values, not throws.
import type { HttpError } from '../server/httpError';
import { parseJsonBody } from '../server/requestBody';
import type { IngestBatch } from '../store/records';
import { mapSpansToBatch, type CallLink, type StepLink } from './genai/mapSpans';
import type { RecentSpanIndex } from './genai/spanIndex';
import { OtlpDecodeError } from './otlp/errors';
import { describeRejections, normalizeTraceRequestJson, normalizeTraceRequestProtobuf } from './otlp/normalize';

export type OtlpEncoding = 'json' | 'protobuf';

export interface MappedTraces {
  ok: true;
  batch: IngestBatch;
  callLinks: CallLink[];
  stepLinks: StepLink[];
  /** Spans rejected by the decoder or the mapper (partial_success), and why. */
  rejected: number;
  reasons: string;
}

/** The request could not be used: `status` is the HTTP answer (400 for undecodable data, 500 for a bug). */
export interface TraceMappingFailure {
  ok: false;
  status: number;
  code: string;
  message: string;
}

export type TraceMappingResult = MappedTraces | TraceMappingFailure;

function isHttpError(error: unknown): error is HttpError {
  return error instanceof Error && typeof (error as HttpError).status === 'number' && typeof (error as HttpError).type === 'string';
}

/** Decoder failures are the client's fault: 400 with the reason, so the exporter drops the batch. */
function decodeFailure(error: unknown): TraceMappingFailure {
  if (isHttpError(error)) return { ok: false, status: error.status, code: error.type, message: error.message };
  if (error instanceof OtlpDecodeError) return { ok: false, status: 400, code: 'invalid_otlp', message: error.message };
  return { ok: false, status: 400, code: 'invalid_otlp', message: `cannot decode the OTLP request: ${(error as Error).message}` };
}

export function decodeAndMapTraces(encoding: OtlpEncoding, body: Uint8Array, index: RecentSpanIndex): TraceMappingResult {
  let traces;
  try {
    const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    traces = encoding === 'json' ? normalizeTraceRequestJson(parseJsonBody(buffer)) : normalizeTraceRequestProtobuf(buffer);
  } catch (error) {
    return decodeFailure(error);
  }
  try {
    const mapped = mapSpansToBatch(traces.spans, { source: 'otlp', index });
    const rejected = traces.rejected.length + mapped.rejected;
    const reasons = rejected > 0 ? [describeRejections(traces.rejected), ...mapped.errors].filter(Boolean).join('; ') : '';
    return { ok: true, batch: mapped.batch, callLinks: mapped.callLinks, stepLinks: mapped.stepLinks, rejected, reasons };
  } catch (error) {
    return { ok: false, status: 500, code: 'internal_error', message: `mapping the OTLP spans failed: ${(error as Error).message}` };
  }
}
