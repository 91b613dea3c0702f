// The main thread's side of OTLP trace mapping: hands each request body to the mapping worker
// thread (so decoding and mapping overlap with SQLite commits on the other core) and resolves with
// the mapped batch. Without a worker file (or when told not to use one) it maps in this thread,
// with the same code and the same cross-batch span index semantics.
import type { Worker } from 'node:worker_threads';
import { closeWorkerScript, startWorkerScript, workerScriptIn } from '../threads/workerScript';
import { RecentSpanIndex } from './genai/spanIndex';
import { decodeAndMapTraces, type OtlpEncoding, type TraceMappingResult } from './traceMapping';
import type { TraceMappingReply, TraceMappingRequest, TraceMappingWorkerData } from './traceMappingWorker';

export interface TraceMapperOptions {
  /** Spans remembered for cross-batch parent links (at least this many, at most twice). */
  spanIndexCapacity: number;
  /** false: map in this thread. */
  useWorker: boolean;
  /** Called when the worker fails; the next request starts a new one (with an empty span index). */
  onWorkerError?: (error: Error) => void;
}

interface Waiter {
  resolve: (result: TraceMappingResult) => void;
  reject: (error: Error) => void;
}

export class TraceMapper {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private inlineIndex: RecentSpanIndex | null = null;
  private closed = false;
  private readonly file: string | null;

  constructor(private readonly options: TraceMapperOptions) {
    // The worker script sits next to this module: dist/daemon in the bundle, daemon/ingest from source.
    this.file = options.useWorker ? workerScriptIn(__dirname, 'traceMappingWorker') : null;
  }

  /** Decodes and maps one request; resolves in the order requests were made. */
  map(encoding: OtlpEncoding, body: Buffer): Promise<TraceMappingResult> {
    if (this.file === null || this.closed) {
      this.inlineIndex ??= new RecentSpanIndex(this.options.spanIndexCapacity);
      return Promise.resolve(decodeAndMapTraces(encoding, body, this.inlineIndex));
    }
    const worker = this.ensureWorker(this.file);
    const id = this.nextId++;
    // Hand the bytes over without a copy when the buffer owns its whole memory (large bodies do);
    // a slice of Node's shared pool is copied instead, since transferring would take the pool.
    const ownsMemory = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer;
    const bytes = ownsMemory ? body : new Uint8Array(body);
    const request: TraceMappingRequest = { type: 'map', id, encoding, body: bytes };
    return new Promise<TraceMappingResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage(request, [bytes.buffer as ArrayBuffer]);
    });
  }

  /** Stops the worker once it has answered what it was given; requests still waiting then fail. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    if (worker) await closeWorkerScript(worker);
    this.failWaiting(new Error('the OTLP mapping worker was stopped'));
  }

  private ensureWorker(file: string): Worker {
    if (this.worker) return this.worker;
    const workerData: TraceMappingWorkerData = { spanIndexCapacity: this.options.spanIndexCapacity };
    const worker = startWorkerScript(file, { workerData });
    // The HTTP server keeps the process alive while requests wait; an idle worker must not.
    worker.unref();
    worker.on('message', (reply: TraceMappingReply) => {
      if (reply.type !== 'mapped') return;
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      waiter.resolve(reply.result);
    });
    const fail = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failWaiting(error);
      this.options.onWorkerError?.(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the OTLP mapping worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private failWaiting(error: Error): void {
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiters) waiter.reject(error);
  }
}
