// The stream scorer applied to one worker metric (latency, cost, tokens, quality) in the watch
// loop, with the event logic users see: an episode opens when a point in the watched direction
// scores at least the alarm threshold and a second point backs it (minimum duration: one slow call
// is not an incident); it stays open while points keep scoring above a lower threshold
// (hysteresis) or while the recent median is still far from the level before the episode (the
// scorer adapts to a new level, the user still wants to hear the level is new); it closes after
// `quiet` points with neither. Error rate and quality reuse these episodes over bucket scores (bucketEpisodes.ts).
// Pure functions over numbers.
import type { Anomaly, SeriesPoint } from './anomalyDetectors';
import { ALARM_THRESHOLD, StreamScorer } from './streamScorer';

export interface EpisodeOptions {
  /** Score that opens an episode (default: the scorer's alarm threshold). */
  open: number;
  /** Score that keeps it open (hysteresis). */
  close: number;
  /** Points scoring ≥ close, within `quiet` points of the opening one, needed to open it. */
  minPoints: number;
  /** Points with neither a high score nor a shifted level that close it. */
  quiet: number;
}

export const DEFAULT_EPISODE: EpisodeOptions = { open: ALARM_THRESHOLD, close: 0.3, minPoints: 2, quiet: 5 };

export interface Episode {
  /** Index of the opening point and of the last point that kept it open. */
  start: number;
  end: number;
  peakScore: number;
  /** Still open at the last point. */
  ongoing: boolean;
  /** Level before the episode (the scorer's prediction at its first point) and the median since. */
  baseline: number;
  current: number;
  shifted: boolean;
}

export type Direction = 'up' | 'down' | 'both';

export interface ScoredPoint { score: number; prediction: number; deviation: number }

/** Scores the values causally; a point against the watched direction scores 0. */
export function scoreDirectional(values: readonly number[], timestamps: readonly number[], direction: Direction): ScoredPoint[] {
  const scorer = new StreamScorer();
  return values.map((v, i) => {
    const s = scorer.update(v, timestamps[i]);
    const e = scorer.explain();
    const sign = e.z;
    const along = direction === 'both' || (direction === 'up' ? sign > 0 : sign < 0);
    return { score: along ? s : 0, prediction: e.prediction, deviation: Math.abs(v - e.prediction) };
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Episodes over scored points (see the file comment for the rules). */
export function episodesOf(values: readonly number[], scored: readonly ScoredPoint[], direction: Direction, o: EpisodeOptions = DEFAULT_EPISODE): Episode[] {
  const episodes: Episode[] = [];
  let i = 0;
  while (i < scored.length) {
    if (!(scored[i].score >= o.open)) { i += 1; continue; }
    let support = 0;
    for (let k = i; k < Math.min(scored.length, i + o.quiet); k += 1) if (scored[k].score >= o.close) support += 1;
    if (support < o.minPoints) { i += 1; continue; }
    // The level before: the prediction at the opening point; its usual deviation from the 50 before.
    const baseline = scored[i].prediction;
    const before = scored.slice(Math.max(0, i - 50), i).map((p) => p.deviation).filter(Number.isFinite);
    const spread = before.length >= 10 ? median(before) : Math.abs(baseline) * 0.1;
    const away = (x: number) => (direction === 'down' ? baseline - x : direction === 'up' ? x - baseline : Math.abs(x - baseline));
    let end = i;
    let peak = scored[i].score;
    let shifted = false;
    let k = i + 1;
    for (; k < scored.length; k += 1) {
      const recent = values.slice(Math.max(i, k - 4), k + 1);
      shifted = recent.length >= 3 && away(median(recent)) > 3 * spread;
      if (scored[k].score >= o.close || shifted) { end = k; peak = Math.max(peak, scored[k].score); } else if (k - end >= o.quiet) break;
    }
    const current = median(values.slice(i, end + 1));
    episodes.push({ start: i, end, peakScore: peak, ongoing: scored.length - 1 - end < o.quiet, baseline, current, shifted });
    i = end + 1;
  }
  return episodes;
}

export interface StreamAnomalyOptions {
  seriesKey: string;
  metric: string;
  direction?: Direction;
  episode?: Partial<EpisodeOptions>;
}

/** The ongoing episode of this metric as an Anomaly, or null when none is open at the last point. */
export function detectStreamAnomaly(points: readonly SeriesPoint[], o: StreamAnomalyOptions): Anomaly | null {
  const pts = points.filter((p) => Number.isFinite(p.value));
  if (pts.length < 3) return null;
  const direction = o.direction ?? 'up';
  const values = pts.map((p) => p.value);
  const scored = scoreDirectional(values, pts.map((p) => p.t), direction);
  const episodes = episodesOf(values, scored, direction, { ...DEFAULT_EPISODE, ...o.episode });
  const last = episodes[episodes.length - 1];
  if (!last || !last.ongoing) return null;
  const sustained = last.end - last.start + 1 >= 4 || last.shifted;
  const ratio = last.baseline > 0 && last.current > 0 ? last.current / last.baseline : NaN;
  const size = Number.isFinite(ratio) ? (ratio >= 1 ? `${ratio.toFixed(1)}×` : `${(1 / ratio).toFixed(1)}× below`) : (last.current >= last.baseline ? 'above' : 'below');
  return {
    kind: sustained ? 'sustained_shift' : 'point_spike',
    severity: last.peakScore >= 0.75 ? 'critical' : 'warning',
    seriesKey: o.seriesKey,
    metric: o.metric,
    beganAt: pts[last.start].t,
    evidence: { baseline: last.baseline, current: last.current, statistic: last.peakScore },
    cause: `${o.metric} is ${size} its expected level since ${new Date(pts[last.start].t).toISOString()} ` +
      `(${last.end - last.start + 1} calls, anomaly score ${last.peakScore.toFixed(3)}${last.shifted ? '; the level has stayed shifted' : ''})`,
  };
}
