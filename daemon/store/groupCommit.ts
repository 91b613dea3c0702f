// Group commit for batches that become ready together. OTLP requests are mapped on a worker thread
// while the main thread commits. Writing several mapped batches in one transaction shares what every
// commit pays whatever its size (the WAL frames of the pages every batch touches: table tails, time
// indexes, id-index leaves, rollup rows; the commit itself): two 512-span batches per commit instead
// of one cut the store's write CPU by about a fifth, most of it kernel time. Each request is still
// answered only after its batch is on disk.
//
// Batches that are ready in the same turn of the event loop always share a commit. Beyond that, a
// ready batch may wait briefly for the next one when the caller says another is being prepared
// (`moreComing`, the mapper's queue) — the commit delay of database group commit. A lone exporter
// never waits: with nothing else in preparation the batch is written at once.
import type { BatchLinks, BatchWriter, LinkedBatch, WriteResult } from './batchWriter';
import type { IngestBatch } from './records';

export interface GroupCommitOptions {
  /** True while another batch is being prepared and will be handed in soon. */
  moreComing?: () => boolean;
  /** Stop waiting for more once the waiting batches hold this many rows (calls + steps + runs). */
  targetRows?: number;
  /** The longest a ready batch waits for company. */
  maxDelayMs?: number;
}

interface Waiting extends LinkedBatch {
  resolve: (result: WriteResult) => void;
  reject: (error: unknown) => void;
}

export class GroupCommitter {
  private waiting: Waiting[] = [];
  private waitingRows = 0;
  private firstWaitingAt = 0;
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly moreComing: () => boolean;
  private readonly targetRows: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly writer: Pick<BatchWriter, 'write' | 'writeMany'>,
    options: GroupCommitOptions = {},
  ) {
    this.moreComing = options.moreComing ?? (() => false);
    this.targetRows = options.targetRows ?? 0;
    this.maxDelayMs = options.maxDelayMs ?? 0;
  }

  /** Resolves once the batch is committed, together with every batch handed in before the next turn of the event loop (or while it waited for company). */
  write(batch: IngestBatch, links?: BatchLinks): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      if (this.waiting.length === 0) this.firstWaitingAt = performance.now();
      this.waiting.push({ batch, links, resolve, reject });
      this.waitingRows += batch.calls.length + batch.steps.length + batch.runs.length;
      if (this.scheduled) return;
      this.scheduled = true;
      // setImmediate runs after the pending worker messages of this turn (and their continuations)
      // have queued their batches.
      setImmediate(() => {
        this.scheduled = false;
        this.flushOrWait();
      });
    });
  }

  private flushOrWait(): void {
    if (this.waiting.length === 0) return;
    const waited = performance.now() - this.firstWaitingAt;
    const wait = this.waitingRows < this.targetRows && waited < this.maxDelayMs && this.moreComing();
    if (!wait) {
      this.flush();
      return;
    }
    // The next batch re-checks when it arrives; the timer bounds the wait if it never does.
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush();
    }, Math.max(1, this.maxDelayMs - waited));
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const group = this.waiting;
    this.waiting = [];
    this.waitingRows = 0;
    if (group.length === 0) return;
    try {
      const results = this.writer.writeMany(group);
      group.forEach((item, i) => item.resolve(results[i]));
      return;
    } catch (error) {
      if (group.length === 1) {
        group[0].reject(error);
        return;
      }
    }
    // The group was rolled back: one batch must not fail the others, so each is tried on its own.
    for (const item of group) {
      try {
        item.resolve(this.writer.write(item.batch, item.links));
      } catch (error) {
        item.reject(error);
      }
    }
  }
}
