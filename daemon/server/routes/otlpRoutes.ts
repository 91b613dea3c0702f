// OTLP/HTTP receiver on the daemon's port: /v1/traces, /v1/logs, /v1/metrics, JSON or protobuf, gzip or not.
// Semantics (opentelemetry-proto specification): 200 with `{}` or an empty protobuf message;
// partial_success for the spans that were rejected; 400 for unreadable data (clients must not retry);
// 413 above the size limit measured after decompression; the response has the request's Content-Type.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DaemonContext } from '../../daemonContext';
import { mapLogsToScores } from '../../ingest/genai/scores';
import { OtlpDecodeError } from '../../ingest/otlp/errors';
import { describeRejections } from '../../ingest/otlp/normalize';
import {
  normalizeLogsRequestJson,
  normalizeLogsRequestProtobuf,
  normalizeMetricsRequestJson,
  normalizeMetricsRequestProtobuf,
} from '../../ingest/otlp/normalizeLogs';
import {
  encodeLogsResponseProtobuf,
  encodeMetricsResponseProtobuf,
  encodeTraceResponseProtobuf,
  logsResponseJson,
  metricsResponseJson,
  traceResponseJson,
  type PartialSuccess,
} from '../../ingest/otlp/proto';
import { TraceMapper } from '../../ingest/traceMapper';
import { GroupCommitter } from '../../store/groupCommit';
import { HttpError } from '../httpError';
import { decodeRequestBody, parseJsonBody } from '../requestBody';

type Encoding = 'json' | 'protobuf';

function encodingOf(request: FastifyRequest): Encoding {
  const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  throw new HttpError(415, 'unsupported_media_type', `Content-Type "${type}" is not OTLP: use application/json or application/x-protobuf`);
}

async function readOtlpBody(ctx: DaemonContext, request: FastifyRequest): Promise<{ encoding: Encoding; body: Buffer }> {
  const encoding = encodingOf(request);
  if (!Buffer.isBuffer(request.body)) return { encoding, body: Buffer.alloc(0) };
  return { encoding, body: await decodeRequestBody(request.body, request.headers['content-encoding'], ctx.maxBodyBytes) };
}

/** Decoder failures are the client's fault: 400, with the reason, so the exporter drops the batch. */
function decodeOrBadRequest<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof HttpError) throw error;
    if (error instanceof OtlpDecodeError) throw new HttpError(400, 'invalid_otlp', error.message);
    throw new HttpError(400, 'invalid_otlp', `cannot decode the OTLP request: ${(error as Error).message}`);
  }
}

function sendOtlp(
  reply: FastifyReply,
  encoding: Encoding,
  partial: PartialSuccess | undefined,
  json: (p?: PartialSuccess) => Record<string, unknown>,
  protobuf: (p?: PartialSuccess) => Uint8Array,
) {
  if (encoding === 'json') return reply.code(200).header('content-type', 'application/json').send(json(partial));
  return reply.code(200).header('content-type', 'application/x-protobuf').send(Buffer.from(protobuf(partial)));
}

export function registerOtlpRoutes(app: FastifyInstance, ctx: DaemonContext): void {
  // Decoding and mapping run on a worker thread, overlapping with the commits here on the other
  // core. The worker remembers recent spans so a child exported before its parent (the usual order)
  // is linked later; it handles requests in arrival order, and each batch is written here as soon
  // as it comes back, so batches are committed in the order they were mapped.
  const mapper = new TraceMapper({
    spanIndexCapacity: 20_000,
    useWorker: process.env.FLOWTUNE_OTLP_WORKER !== '0',
    onWorkerError: (error) => ctx.logger.error('OTLP mapping worker failed; a new one starts with the next request', { error: error.message }),
  });
  app.addHook('onClose', async () => mapper.close());
  const commits = new GroupCommitter(ctx.writer);

  app.post('/v1/traces', async (request, reply) => {
    const { encoding, body } = await readOtlpBody(ctx, request);
    const mapped = await mapper.map(encoding, body);
    if (!mapped.ok) throw new HttpError(mapped.status, mapped.code, mapped.message);
    // The answer (200) goes out only after this commit: an acknowledged batch is on disk. Batches
    // mapped meanwhile share the commit.
    await commits.write(mapped.batch, { calls: mapped.callLinks, steps: mapped.stepLinks });
    let partial: PartialSuccess | undefined;
    if (mapped.rejected > 0) {
      partial = { rejected: mapped.rejected, errorMessage: mapped.reasons };
      ctx.logger.warn('OTLP spans rejected', { rejected: mapped.rejected, reasons: mapped.reasons });
    }
    return sendOtlp(reply, encoding, partial, traceResponseJson, encodeTraceResponseProtobuf);
  });

  app.post('/v1/logs', async (request, reply) => {
    const { encoding, body } = await readOtlpBody(ctx, request);
    const logs = decodeOrBadRequest(() => (encoding === 'json' ? normalizeLogsRequestJson(parseJsonBody(body)) : normalizeLogsRequestProtobuf(body)));
    const knownCall = ctx.db.prepare('SELECT 1 FROM calls WHERE id = ?');
    const scores = mapLogsToScores(logs.logs, { isKnownCall: (id) => knownCall.get(id) !== undefined });
    if (scores.length > 0) ctx.writer.write({ runs: [], steps: [], calls: [], scores });
    const partial = logs.rejected.length > 0 ? { rejected: logs.rejected.length, errorMessage: describeRejections(logs.rejected) } : undefined;
    return sendOtlp(reply, encoding, partial, logsResponseJson, encodeLogsResponseProtobuf);
  });

  app.post('/v1/metrics', async (request, reply) => {
    const { encoding, body } = await readOtlpBody(ctx, request);
    const metrics = decodeOrBadRequest(() =>
      encoding === 'json' ? normalizeMetricsRequestJson(parseJsonBody(body)) : normalizeMetricsRequestProtobuf(body),
    );
    // Spans already carry every per-call figure; metrics are accepted so exporters stay quiet.
    ctx.logger.debug('OTLP metrics accepted', { dataPoints: metrics.dataPoints });
    return sendOtlp(reply, encoding, undefined, metricsResponseJson, encodeMetricsResponseProtobuf);
  });
}
