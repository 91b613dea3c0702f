// Proxy records are written in batches up to 20 ms after their responses went out: one transaction
// per batch instead of one per call keeps the store off the requests' critical path. Measured on the
// 2-core bench machine, a flush cost about 0.3 ms whatever its size (the commit and the rollup's
// latency sketch) plus about 25 µs per call: at 1,000 requests/s a 5 ms window spent ~100 µs of CPU
// per request on flushing, a 20 ms window ~40 µs. The count cap bounds how long one flush holds the
// event loop (~2 ms). Records become visible to readers within that window; readers that need them
// at once call flush().
import type Database from 'better-sqlite3';
import type { Logger } from '../log';
import type { BatchWriter } from '../store/batchWriter';
import type { CallRecord } from '../store/records';
import type { CacheHitRecord, ResponseCache } from './responseCache';

const FLUSH_DELAY_MS = 20;
const FLUSH_AT_COUNT = 64;

/** A request hash for the duplicate log; a function is called at flush time (off the request path). */
export interface PendingRequestHash {
  worker: string;
  hash: string | (() => string);
  at: number;
}

export class RecordQueue {
  private calls: Array<CallRecord | (() => CallRecord)> = [];
  private hashes: PendingRequestHash[] = [];
  private hits: CacheHitRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly flushTransaction: () => void;

  constructor(
    db: Database.Database,
    private readonly writer: BatchWriter,
    private readonly cache: ResponseCache,
    private readonly logger: Logger,
  ) {
    this.flushTransaction = db.transaction(() => this.writeAll());
  }

  /** `call` may be a function building the record: it is called at flush time, in queue order. */
  addCall(call: CallRecord | (() => CallRecord), requestHash: PendingRequestHash | null): void {
    this.calls.push(call);
    if (requestHash) this.hashes.push(requestHash);
    this.schedule();
  }

  /** A hit's saving is read from its source call, which an earlier flush (or this one, first) wrote. */
  addHit(hit: CacheHitRecord): void {
    this.hits.push(hit);
    this.schedule();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.calls.length === 0 && this.hashes.length === 0 && this.hits.length === 0) return;
    try {
      this.flushTransaction();
    } catch (error) {
      this.logger.error('proxy: writing call records failed', { calls: this.calls.length, error: (error as Error).message });
    } finally {
      this.calls = [];
      this.hashes = [];
      this.hits = [];
    }
  }

  private writeAll(): void {
    if (this.calls.length > 0) {
      const calls = this.calls.map((call) => (typeof call === 'function' ? call() : call));
      this.writer.write({ runs: [], steps: [], calls, scores: [] });
    }
    for (const { worker, hash, at } of this.hashes) this.cache.noteRequest(worker, typeof hash === 'function' ? hash() : hash, at);
    for (const hit of this.hits) this.cache.recordHit(hit);
  }

  private schedule(): void {
    if (this.calls.length + this.hits.length >= FLUSH_AT_COUNT) {
      this.flush();
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
    this.timer.unref();
  }
}
