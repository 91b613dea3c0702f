// The feedback learning curve: mean quality score per optimization cycle (between consecutive
// `cycle` decisions) when cycles were logged, otherwise per day over the last 60 days.
import type Database from 'better-sqlite3';
import type { LearningCurve } from '../../shared/http/dashboard';
import { round } from './workerSeries';

const DAY_MS = 86_400_000;
const MAX_CYCLES = 60;
const MAX_DAYS = 60;

interface Bin {
  label: string;
  from: number;
  to: number;
  sum: number;
  count: number;
}

export function learningCurve(db: Database.Database, now = Date.now()): LearningCurve {
  const cycles = (
    db.prepare(`SELECT at FROM decisions WHERE action = 'cycle' ORDER BY at DESC LIMIT ?`).all(MAX_CYCLES) as Array<{ at: number }>
  ).reverse();
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM decisions WHERE action = 'cycle'`).get() as { n: number }).n;
  let bins: Bin[];
  let basis: LearningCurve['basis'];
  if (cycles.length >= 2) {
    basis = 'cycle';
    const first = total - cycles.length + 1;
    // Cycle n is judged on the scores collected after cycle n − 1 and up to cycle n.
    bins = cycles.slice(1).map((c, i) => ({ label: `cycle ${first + i + 1}`, from: cycles[i].at, to: c.at, sum: 0, count: 0 }));
    bins.push({ label: 'since last cycle', from: cycles[cycles.length - 1].at, to: now + 1, sum: 0, count: 0 });
  } else {
    basis = 'day';
    const today = Math.floor(now / DAY_MS) * DAY_MS;
    bins = Array.from({ length: MAX_DAYS }, (_, i) => {
      const from = today - (MAX_DAYS - 1 - i) * DAY_MS;
      return { label: new Date(from).toISOString().slice(0, 10), from, to: from + DAY_MS, sum: 0, count: 0 };
    });
  }
  const since = bins[0].from;
  const rows = db.prepare('SELECT created_at AS at, value FROM scores WHERE value IS NOT NULL AND created_at >= ?').raw().iterate(since) as IterableIterator<[number, number]>;
  for (const [at, value] of rows) {
    // Bins are sorted and contiguous: binary search for the one holding `at`.
    let lo = 0;
    let hi = bins.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bins[mid].from <= at) lo = mid;
      else hi = mid - 1;
    }
    const bin = bins[lo];
    if (at >= bin.from && at < bin.to && Number.isFinite(value)) {
      bin.sum += value;
      bin.count++;
    }
  }
  const points = bins.map((b) => ({ label: b.label, at: basis === 'day' ? b.from : b.to, quality: b.count > 0 ? round(b.sum / b.count, 4) : null, scored: b.count }));
  // Per day, leading days without scores say nothing: start at the first scored day.
  const firstScored = basis === 'day' ? points.findIndex((p) => p.scored > 0) : 0;
  return { basis, points: firstScored > 0 ? points.slice(firstScored) : firstScored < 0 ? [] : points };
}
