// A worker's error rate and quality on the same episode machinery as its numeric metrics
// (streamAnomaly.ts). Neither is a continuous per-call series the stream scorer can predict: an
// error is 0/1, and quality scores are few (one per judged call) and often on a judge's grid. So
// the items are cut into buckets of consecutive items — count buckets, not time buckets: a quiet
// worker and a busy one are judged on the same amount of evidence, and a quiet hour leaves no empty
// bucket to misread as a clean one — each bucket gets a score on the stream scorer's scale
// (score = s/(s+3), s = −log10 p, so 0.5 ⇔ p = 1e-3), and the episode rules (minimum duration,
// hysteresis, quiet points to close) turn the scores into one event per incident.
//
// A bucket's p is a test suited to the data, of the items in a window ending at the bucket against
// the clean items before it. Two windows — the bucket alone (a burst) and the last few buckets (a
// moderate rise) — Bonferroni ×2. Buckets that alarmed are left out of later baselines, as the
// stream scorer leaves alarms out of its tail fit: an incident must not teach the baseline that it
// is normal.
//  - Errors: P(X ≥ errors) under the Beta-binomial predictive of the clean calls before (uniform
//    prior, as the Beta-binomial test it replaces, REFERENCES A.2.2), so a short clean history is
//    uncertain, not proof of a zero rate; a window needs at least MIN_FAILURES errors to score at all
//    (that test's minimum count): one error in few calls never alarms.
//  - Quality: one-sided Welch t of the window's mean below the baseline mean, scored only when the
//    drop is at least MIN_QUALITY_DROP (the practical-size floor of the Welch test it replaces) and
//    the baseline holds MIN_QUALITY_BASELINE scores.
// Pure functions over numbers.
import type { Anomaly, AnomalyKind } from './anomalyDetectors';
import { scoreToProbability, surpriseToScore } from './anomalyLikelihood';
import { ALARM_THRESHOLD } from './streamScorer';
import { DEFAULT_EPISODE, episodesOf, type Direction, type ScoredPoint } from './streamAnomaly';
import { changeVsPrevious } from './trend';

export const RATE_BUCKET = 10;
export const RATE_LONG_WINDOW = 10;
export const MIN_FAILURES = 3;
export const QUALITY_BUCKET = 5;
export const QUALITY_LONG_WINDOW = 4;
export const MIN_QUALITY_DROP = 0.05;
export const MIN_QUALITY_BASELINE = 20;

/** P(X ≥ k) for X ~ BetaBinomial(n, a, b), summed over the upper terms (full precision in the far tail). */
export function betaBinomialUpperTail(k: number, n: number, a: number, b: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  // pmf(0) = B(a, n + b) / B(a, b) = Π (b + i) / (a + b + i); then the ratio recurrence, in logs.
  let logPmf = 0;
  for (let i = 0; i < n; i += 1) logPmf += Math.log((b + i) / (a + b + i));
  let tail = 0;
  for (let x = 0; x <= n; x += 1) {
    if (x >= k) tail += Math.exp(logPmf);
    if (x < n) logPmf += Math.log(((n - x) / (x + 1)) * ((x + a) / (n - x - 1 + b)));
  }
  return Math.min(1, tail);
}

export interface Bucket { first: number; last: number }

export interface ScoredBuckets {
  buckets: Bucket[];
  scored: ScoredPoint[];
  /** Per bucket: the summary (error share, mean quality) of the long window ending there. */
  values: number[];
}

interface BucketTest {
  /** One-sided p of the window's items against the baseline's (1 when it does not apply). */
  tail(window: readonly number[], baseline: readonly number[]): number;
  /** Summary of a set of items: share, mean. */
  summary(items: readonly number[]): number;
}

/** Buckets aligned to end at the latest item (a partial first bucket joins the history only) and their scores. */
export function scoreBuckets(items: readonly number[], size: number, longWindow: number, test: BucketTest): ScoredBuckets {
  const buckets: Bucket[] = [];
  for (let end = items.length; end - size >= 0; end -= size) buckets.unshift({ first: end - size, last: end - 1 });
  const lead = buckets.length > 0 ? buckets[0].first : items.length;
  // Clean history before bucket j (alarmed buckets left out), as a list of item values per j.
  const clean: number[] = items.slice(0, lead);
  const cleanBefore: number[] = [];
  const scored: ScoredPoint[] = [];
  const values: number[] = [];
  for (let j = 0; j < buckets.length; j += 1) {
    cleanBefore.push(clean.length);
    let minTail = 1;
    for (const w of [1, longWindow]) {
      if (j - w + 1 < 0) continue;
      const window = items.slice(buckets[j - w + 1].first, buckets[j].last + 1);
      minTail = Math.min(minTail, test.tail(window, clean.slice(0, cleanBefore[j - w + 1])));
    }
    const surprise = minTail < 1 ? -Math.log10(Math.max(1e-300, Math.min(1, 2 * minTail))) : 0;
    const score = surpriseToScore(surprise);
    const mine = items.slice(buckets[j].first, buckets[j].last + 1);
    const prediction = clean.length > 0 ? test.summary(clean) : NaN;
    // The level the episode rules watch is the long window's: a single bucket of a raised error
    // rate often holds no error at all, which would close an episode the rate still justifies.
    const value = test.summary(items.slice(buckets[Math.max(0, j - longWindow + 1)].first, buckets[j].last + 1));
    values.push(value);
    scored.push({ score, prediction, deviation: Math.abs(value - prediction) });
    if (score < ALARM_THRESHOLD) clean.push(...mine);
  }
  return { buckets, scored, values };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: readonly number[]) => (xs.length > 0 ? sum(xs) / xs.length : NaN);

/** Errors as 1/0 per call. */
export const ERROR_TEST: BucketTest = {
  tail(window, baseline) {
    const f = sum(window);
    if (f < MIN_FAILURES) return 1;
    const bf = sum(baseline);
    return betaBinomialUpperTail(f, window.length, 1 + bf, 1 + baseline.length - bf);
  },
  summary: mean,
};

/** Quality scores (0–1). */
export const QUALITY_TEST: BucketTest = {
  tail(window, baseline) {
    if (baseline.length < MIN_QUALITY_BASELINE || window.length < 2) return 1;
    const c = changeVsPrevious(baseline, window);
    const drop = c.previousMean - c.currentMean;
    return drop >= MIN_QUALITY_DROP && Number.isFinite(c.p) ? c.p / 2 : 1;
  },
  summary: mean,
};

export interface BucketEpisode {
  /** Item indices: where it began and the last item of its last bucket. */
  first: number;
  last: number;
  /** Clean level before the episode and the level since it began. */
  baseline: number;
  current: number;
  count: number;
  peakScore: number;
  pValue: number;
}

/** The episode still open at the latest item, or null. `began` picks the item it began at in a range. */
export function ongoingBucketEpisode(
  items: readonly number[], size: number, longWindow: number, test: BucketTest, direction: Direction,
  began: (from: number, to: number) => number = (from) => from,
): BucketEpisode | null {
  const { buckets, scored, values } = scoreBuckets(items, size, longWindow, test);
  const episodes = episodesOf(values, scored, direction, DEFAULT_EPISODE);
  const last = episodes[episodes.length - 1];
  if (!last || !last.ongoing) return null;
  // The window that opened it may reach a few buckets back.
  const from = buckets[Math.max(0, last.start - longWindow + 1)].first;
  const first = began(from, buckets[last.start].last);
  const to = buckets[last.end].last;
  const since = items.slice(first, to + 1);
  return {
    first, last: to, baseline: last.baseline, current: test.summary(since), count: since.length,
    peakScore: last.peakScore, pValue: scoreToProbability(last.peakScore),
  };
}

export interface RateEpisodeOptions { seriesKey: string; metric: string; kind?: AnomalyKind }

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;

/** The open error-rate episode of a worker's calls (in time order) as an Anomaly, or null. */
export function detectRateEpisode(calls: ReadonlyArray<{ t: number; failed: boolean }>, o: RateEpisodeOptions): Anomaly | null {
  const failed = calls.map((c) => (c.failed ? 1 : 0));
  const firstFailure = (from: number, to: number) => {
    for (let i = from; i <= to; i += 1) if (failed[i]) return i;
    return from;
  };
  const e = ongoingBucketEpisode(failed, RATE_BUCKET, RATE_LONG_WINDOW, ERROR_TEST, 'up', firstFailure);
  if (!e) return null;
  const failures = Math.round(e.current * e.count);
  return {
    kind: o.kind ?? 'error_rate_spike',
    severity: e.current >= 0.25 || (e.baseline > 0 && e.current / e.baseline >= 5) ? 'critical' : 'warning',
    seriesKey: o.seriesKey,
    metric: o.metric,
    beganAt: calls[e.first].t,
    evidence: { baseline: e.baseline, current: e.current, statistic: e.peakScore, pValue: e.pValue },
    cause: `${o.metric} rose to ${pct(e.current)} of calls (${failures}/${e.count}) from ${pct(e.baseline)} ` +
      `(anomaly score ${e.peakScore.toFixed(3)}, p ≈ ${e.pValue.toPrecision(2)})`,
  };
}

/** The open quality-drop episode of a worker's quality scores (in time order) as an Anomaly, or null. */
export function detectQualityEpisode(scores: ReadonlyArray<{ t: number; value: number }>, seriesKey: string): Anomaly | null {
  const pts = scores.filter((s) => Number.isFinite(s.value));
  // It began at the bucket that opened it (a mean has no first bad item to point at).
  const e = ongoingBucketEpisode(pts.map((s) => s.value), QUALITY_BUCKET, QUALITY_LONG_WINDOW, QUALITY_TEST, 'down', (_, to) => to - QUALITY_BUCKET + 1);
  if (!e) return null;
  const drop = e.baseline - e.current;
  return {
    kind: 'quality_drop',
    severity: drop >= 0.15 ? 'critical' : 'warning',
    seriesKey,
    metric: 'quality',
    beganAt: pts[e.first].t,
    evidence: { baseline: e.baseline, current: e.current, statistic: e.peakScore, pValue: e.pValue },
    cause: `quality fell from ${e.baseline.toFixed(2)} to ${e.current.toFixed(2)} (−${drop.toFixed(2)}, ${e.count} scores, ` +
      `anomaly score ${e.peakScore.toFixed(3)}, p ≈ ${e.pValue.toPrecision(2)})`,
  };
}
