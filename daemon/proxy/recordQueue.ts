// Proxy records are written in small batches a few milliseconds after their responses went out:
// one transaction per batch instead of one per call keeps the store off the requests' critical
// path (a commit per call costs more than the rest of the proxy's work).
import type Database from 'better-sqlite3';
import type { Logger } from '../log';
import type { BatchWriter } from '../store/batchWriter';
import type { CallRecord } from '../store/records';
import type { CacheHitRecord, ResponseCache } from './responseCache';

const FLUSH_DELAY_MS = 5;
const FLUSH_AT_COUNT = 256;

export class RecordQueue {
  private calls: CallRecord[] = [];
  private hashes: Array<{ worker: string; hash: string; at: number }> = [];
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

  addCall(call: CallRecord, requestHash: { worker: string; hash: string; at: number } | null): void {
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
    if (this.calls.length > 0) this.writer.write({ runs: [], steps: [], calls: this.calls, scores: [] });
    for (const { worker, hash, at } of this.hashes) this.cache.noteRequest(worker, hash, at);
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
