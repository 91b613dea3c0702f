// Worker-thread entry: decodes and maps OTLP trace requests off the daemon's main thread, which
// only writes the resulting batches. Requests are handled one at a time in arrival order, so the
// span index sees batches in the same order the main thread commits them.
import { parentPort, workerData } from 'node:worker_threads';
import { RecentSpanIndex } from './genai/spanIndex';
import { decodeAndMapTraces, type OtlpEncoding, type TraceMappingResult } from './traceMapping';

export interface TraceMappingRequest {
  type: 'map';
  id: number;
  encoding: OtlpEncoding;
  body: Uint8Array;
}

/** Finish and say so; answered with `{ type: 'closed' }`. */
export interface CloseRequest {
  type: 'close';
}

export type TraceMappingReply = { type: 'mapped'; id: number; result: TraceMappingResult } | { type: 'closed' };

export interface TraceMappingWorkerData {
  spanIndexCapacity?: number;
}

const options = (workerData ?? {}) as TraceMappingWorkerData;
const index = new RecentSpanIndex(options.spanIndexCapacity);
const post = (reply: TraceMappingReply) => parentPort?.postMessage(reply);

parentPort?.on('message', (request: TraceMappingRequest | CloseRequest) => {
  if (request.type === 'close') {
    post({ type: 'closed' });
    return;
  }
  post({ type: 'mapped', id: request.id, result: decodeAndMapTraces(request.encoding, request.body, index) });
});
