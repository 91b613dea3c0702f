// Per-worker series for the dashboard charts from the rollup cells: calls, cost, quality and error
// rate per bucket, latency p50/p95 from the bucket's merged sketches. Every worker gets the same
// buckets, so the charts line up.
import type { SeriesMarker, WorkerSeries } from '../../shared/http/dashboard';
import { hourBucket } from '../store/rollupKey';
import { mergedQuantiles, type RollupCell } from './rollupCells';

export interface SeriesWindow {
  since: number;
  until: number;
  /** A multiple of an hour. */
  bucketMs: number;
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function workerSeries(cells: readonly RollupCell[], window: SeriesWindow, markersByWorker: ReadonlyMap<string | null, SeriesMarker[]>): WorkerSeries[] {
  const { bucketMs } = window;
  const firstBucket = Math.floor(hourBucket(window.since) / bucketMs) * bucketMs;
  const buckets: number[] = [];
  for (let at = firstBucket; at < window.until; at += bucketMs) buckets.push(at);

  const cellsByWorker = new Map<string, RollupCell[][]>();
  for (const cell of cells) {
    if (cell.hour < hourBucket(window.since) || cell.hour >= window.until) continue;
    let perBucket = cellsByWorker.get(cell.worker);
    if (!perBucket) {
      perBucket = buckets.map(() => []);
      cellsByWorker.set(cell.worker, perBucket);
    }
    const i = Math.floor((cell.hour - firstBucket) / bucketMs);
    if (i >= 0 && i < buckets.length) perBucket[i].push(cell);
  }

  const series: WorkerSeries[] = [];
  for (const [worker, perBucket] of cellsByWorker) {
    const s: WorkerSeries = {
      worker,
      at: buckets,
      calls: [],
      latencyP50Ms: [],
      latencyP95Ms: [],
      costUsd: [],
      quality: [],
      errorRate: [],
      markers: [...(markersByWorker.get(worker) ?? []), ...(markersByWorker.get(null) ?? [])].sort((a, b) => a.at - b.at),
    };
    for (const bucketCells of perBucket) {
      let calls = 0;
      let errors = 0;
      let cost = 0;
      let qualitySum = 0;
      let qualityCount = 0;
      for (const c of bucketCells) {
        calls += c.calls;
        errors += c.errors;
        cost += c.costUsd;
        qualitySum += c.qualitySum;
        qualityCount += c.qualityCount;
      }
      const { p50, p95 } = mergedQuantiles(bucketCells);
      s.calls.push(calls);
      s.costUsd.push(round(cost, 8));
      s.errorRate.push(calls > 0 ? round(errors / calls, 5) : null);
      s.quality.push(qualityCount > 0 ? round(qualitySum / qualityCount, 4) : null);
      s.latencyP50Ms.push(p50 === null ? null : round(p50, 1));
      s.latencyP95Ms.push(p95 === null ? null : round(p95, 1));
    }
    series.push(s);
  }
  return series.sort((a, b) => a.worker.localeCompare(b.worker));
}
