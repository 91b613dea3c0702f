// Group commit for batches that become ready together. OTLP requests are mapped on a worker thread
// while the main thread commits; under load several mapped batches are waiting by the time a commit
// ends. Writing them in one transaction shares what every commit pays whatever its size (the WAL
// frames of the pages every batch touches: table tails, time indexes, rollup rows; the commit
// itself), and each request is still answered only after its batch is on disk.
import type { BatchLinks, BatchWriter, LinkedBatch, WriteResult } from './batchWriter';
import type { IngestBatch } from './records';

interface Waiting extends LinkedBatch {
  resolve: (result: WriteResult) => void;
  reject: (error: unknown) => void;
}

export class GroupCommitter {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly writer: Pick<BatchWriter, 'write' | 'writeMany'>) {}

  /** Resolves once the batch is committed, together with every batch handed in before the next turn of the event loop. */
  write(batch: IngestBatch, links?: BatchLinks): Promise<WriteResult> {
    return new Promise<WriteResult>((resolve, reject) => {
      this.waiting.push({ batch, links, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // setImmediate runs after the pending worker messages of this turn (and their continuations)
      // have queued their batches.
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const group = this.waiting;
    this.waiting = [];
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
