// The dashboard's in-memory view of the hourly rollups: one cell per worker × hour (models and
// prompt versions folded together) holding the sums and the merged latency DDSketch. Rollup rows
// carry ~1 KB sketches, so reading and decoding them is what costs on a big store; cells are loaded
// once per hour and afterwards only the hours that new calls or scores touched are read again
// (found through the calls rowid and the scores id, both cheap to ask for).
import type Database from 'better-sqlite3';
import { DDSketch } from '@datadog/sketches-js';
import { HOUR_MS, hourBucket } from '../store/rollupKey';

export interface RollupCell {
  worker: string;
  hour: number;
  calls: number;
  errors: number;
  costUsd: number;
  qualitySum: number;
  qualityCount: number;
  latencyCount: number;
  models: Set<string>;
  sketch: DDSketch | null;
}

interface RollupRow {
  worker: string;
  model: string;
  bucket_start: number;
  calls: number;
  errors: number;
  cost_usd: number;
  quality_sum: number;
  quality_count: number;
  latency_count: number;
  latency_sketch: Buffer | null;
}

/** Every this long the loaded hours are re-read in full (late links and retention rewrite old rollups). */
const FULL_RELOAD_MS = 15 * 60_000;

export class RollupCells {
  private readonly hours = new Map<number, RollupCell[]>();
  private lastCallRowid = 0;
  private lastScoreId = 0;
  private loadedAt = 0;

  constructor(private readonly db: Database.Database) {}

  /** The cells of every hour in [since, until), loading missing hours and refreshing changed ones. */
  cells(since: number, until: number, now = Date.now()): RollupCell[] {
    this.sync(now);
    const from = hourBucket(since);
    const missing: number[] = [];
    for (let hour = from; hour < until; hour += HOUR_MS) if (!this.hours.has(hour)) missing.push(hour);
    // One range read per run of consecutive missing hours.
    for (let i = 0; i < missing.length; ) {
      let j = i;
      while (j + 1 < missing.length && missing[j + 1] === missing[j] + HOUR_MS) j++;
      this.load(missing[i], missing[j] + HOUR_MS, new Set(missing.slice(i, j + 1)));
      i = j + 1;
    }
    const out: RollupCell[] = [];
    for (let hour = from; hour < until; hour += HOUR_MS) out.push(...(this.hours.get(hour) ?? []));
    return out;
  }

  /** Drops the hours touched since the last look, so the next read reloads them. */
  private sync(now: number): void {
    if (now - this.loadedAt > FULL_RELOAD_MS) {
      this.hours.clear();
      this.loadedAt = now;
    }
    const callRowid = (this.db.prepare('SELECT COALESCE(MAX(rowid), 0) AS v FROM calls').get() as { v: number }).v;
    const scoreId = (this.db.prepare('SELECT COALESCE(MAX(id), 0) AS v FROM scores').get() as { v: number }).v;
    if (callRowid < this.lastCallRowid || scoreId < this.lastScoreId) this.hours.clear();
    else {
      if (callRowid > this.lastCallRowid) {
        const span = this.db.prepare('SELECT MIN(started_at) AS lo, MAX(started_at) AS hi FROM calls WHERE rowid > ?').get(this.lastCallRowid) as { lo: number | null; hi: number | null };
        this.forget(span.lo, span.hi);
      }
      if (scoreId > this.lastScoreId) {
        const span = this.db
          .prepare('SELECT MIN(c.started_at) AS lo, MAX(c.started_at) AS hi FROM scores s JOIN calls c ON c.id = s.call_id WHERE s.id > ?')
          .get(this.lastScoreId) as { lo: number | null; hi: number | null };
        this.forget(span.lo, span.hi);
      }
    }
    this.lastCallRowid = callRowid;
    this.lastScoreId = scoreId;
  }

  private forget(lo: number | null, hi: number | null): void {
    if (lo === null || hi === null) return;
    for (let hour = hourBucket(lo); hour <= hi; hour += HOUR_MS) this.hours.delete(hour);
  }

  private load(from: number, to: number, wanted: Set<number>): void {
    const byKey = new Map<string, RollupCell>();
    for (const hour of wanted) this.hours.set(hour, []);
    const rows = this.db
      .prepare(
        `SELECT worker, model, bucket_start, calls, errors, cost_usd, quality_sum, quality_count, latency_count, latency_sketch
         FROM call_rollups WHERE bucket_start >= ? AND bucket_start < ?`,
      )
      .iterate(from, to) as IterableIterator<RollupRow>;
    for (const row of rows) {
      if (!wanted.has(row.bucket_start)) continue;
      const key = `${row.worker}\u0000${row.bucket_start}`;
      let cell = byKey.get(key);
      if (!cell) {
        cell = { worker: row.worker, hour: row.bucket_start, calls: 0, errors: 0, costUsd: 0, qualitySum: 0, qualityCount: 0, latencyCount: 0, models: new Set(), sketch: null };
        byKey.set(key, cell);
        this.hours.get(row.bucket_start)?.push(cell);
      }
      cell.calls += row.calls;
      cell.errors += row.errors;
      cell.costUsd += row.cost_usd;
      cell.qualitySum += row.quality_sum;
      cell.qualityCount += row.quality_count;
      cell.latencyCount += row.latency_count;
      cell.models.add(row.model);
      if (row.latency_sketch) cell.sketch = mergeInto(cell.sketch, DDSketch.fromProto(row.latency_sketch));
    }
  }
}

/** Merges `part` into `into` (which it may return as is when `into` is empty); never mutates a cell's own sketch. */
export function mergeInto(into: DDSketch | null, part: DDSketch): DDSketch {
  if (!into) return part;
  if (into.mergeable(part)) into.merge(part);
  return into;
}

/** p50 and p95 over several cells' sketches (copied, so the cells stay as they are). */
export function mergedQuantiles(cells: readonly RollupCell[]): { p50: number | null; p95: number | null } {
  let merged: DDSketch | null = null;
  for (const cell of cells) {
    if (!cell.sketch || cell.latencyCount === 0) continue;
    if (!merged) {
      merged = new DDSketch({ relativeAccuracy: 0.01 });
      if (!merged.mergeable(cell.sketch)) merged = DDSketch.fromProto(cell.sketch.toProto());
      else merged.merge(cell.sketch);
      continue;
    }
    if (merged.mergeable(cell.sketch)) merged.merge(cell.sketch);
  }
  if (!merged || merged.count === 0) return { p50: null, p95: null };
  return { p50: merged.getValueAtQuantile(0.5), p95: merged.getValueAtQuantile(0.95) };
}

const cellsByDb = new WeakMap<Database.Database, RollupCells>();

/** The one cell cache of a store connection. */
export function rollupCellsFor(db: Database.Database): RollupCells {
  let cells = cellsByDb.get(db);
  if (!cells) {
    cells = new RollupCells(db);
    cellsByDb.set(db, cells);
  }
  return cells;
}
