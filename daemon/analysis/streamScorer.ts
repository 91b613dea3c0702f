// Causal anomaly scorer for one metric stream: the engine of `flowtune detect` and of the daemon's
// anomalies on worker metrics. The score at point t uses only points up to t.
//
// Predict, then ask how surprising the error is (as HTM/NAB's anomaly likelihood does, with a
// simpler predictor):
//  - three predictors run side by side and the one with the lowest recent mean absolute error is
//    used (chosen from the data, per series): a slow level (EWMA, α = 0.05) for noise around a
//    level, a fast level (α = 0.5) for wandering series and trends, and a seasonal one (the same
//    phase in up to three past seasons plus a level offset) once autocorrelation finds a season
//    (`periodicity.ts`; daily and weekly snap to the calendar when timestamps say the step);
//  - missing points and irregular timestamps: with regular timestamps, points live on a grid of
//    the typical step, so gaps leave holes instead of shifting the season;
//  - the error, divided by the chosen predictor's recent mean absolute error, becomes a tail
//    probability from the series' own error distribution (`anomalyLikelihood.ts`): heavy tails and
//    bursts widen it, clean series narrow it;
//  - a point is as surprising as the less surprised of the level and seasonal explanations when
//    both fit about as well, so a daily burst the season expects is no alarm;
//  - a sustained-evidence test combines the last few (clipped) tail probabilities (Fisher), which
//    catches level shifts and variance changes too small for a point alarm;
//  - after a confirmed shift (four same-sign large errors) the level predictors jump to the new
//    level, and the error scale follows a variance change within tens of points: alarm at the
//    change, then adapt instead of alarming for ever.
// Per point O(1); the period search is rare.
import { detectPeriod } from './periodicity';
import { chooseGrid, chooseTransform, type Transform } from './seriesShape';
import { ALARM_THRESHOLD, ErrorTail, SURPRISE_AT_HALF, erlangSurprise, surpriseToScore } from './anomalyLikelihood';

export { ALARM_THRESHOLD };

// Local bindings for the per-point path: under a CommonJS transform (tsx, in the tests and the
// bench) every use of an imported name goes through an export getter.
const erlang = erlangSurprise;
const toScore = surpriseToScore;
const ALARM_SURPRISE = SURPRISE_AT_HALF;
const LOG10_2 = Math.log10(2);

export interface StreamScorerOptions {
  /** Points scored 0 while the first model forms (they also choose the scale: raw or log). */
  warmup: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamScorerOptions = { warmup: 64 };

export type PredictorName = 'slow level' | 'fast level' | 'seasonal';

/** What drove the last score, for explanations. */
export interface ScoreExplanation {
  /** Prediction error over the predictor's mean absolute error (signed). */
  z: number;
  /** −log10 of the tail probability of this point's error. */
  pointSurprise: number;
  /** −log10 of the combined tail probability of the last few errors. */
  sustainedSurprise: number;
  /** The prediction, on the series' own scale. */
  prediction: number;
  predictor: PredictorName;
  period: number;
  logScale: boolean;
}

const HISTORY = 16384;
const MASK = HISTORY - 1;
const LN10 = Math.LN10;
/** Errors combined by the sustained test, and the clip of each one's surprise (natural log, p = 1e-3). */
const SUSTAINED = 6;
const SUSTAINED_CLIP = 3 * LN10;
/** Memory of each predictor's mean absolute error (the z scale and the selection criterion). */
const SCALE_ALPHA = 0.02;
/** Errors needed before a predictor may be chosen. */
const MIN_ERRORS = 48;

/** One level-type or seasonal predictor's state. */
interface Predictor {
  name: PredictorName;
  /** EWMA level (level predictors) or offset added to the seasonal template. */
  level: number;
  alpha: number;
  mae: number;
  errors: number;
  /** Prediction for the point being scored. */
  pred: number;
  tail: ErrorTail;
  /** Clipped natural-log surprises of the last few errors (a ring at index `ring`). */
  recentU: Float64Array;
  recentSum: number;
  ring: number;
  /** The last error was beyond the cap of the scale update. */
  wasCapped: boolean;
}

const newPredictor = (name: PredictorName, alpha: number): Predictor => ({
  name, level: NaN, alpha, mae: NaN, errors: 0, pred: NaN, tail: new ErrorTail(), recentU: new Float64Array(SUSTAINED - 1), recentSum: 0, ring: 0, wasCapped: false,
});

/** Points whose distribution settles the scale (raw or log) for good; before that, the first warm-up decides. */
const SCALE_SAMPLE = 256;

export class StreamScorer {
  private readonly o: StreamScorerOptions;
  private model: SeriesModel | null = null;
  private early: Array<[number, number]> | null = [];

  constructor(options: Partial<StreamScorerOptions> = {}) {
    this.o = { ...DEFAULT_STREAM_OPTIONS, ...options };
  }

  /** Scores one observation from the state built on earlier ones, then learns from it. */
  update(value: number, timestamp?: number): number {
    const ts = timestamp !== undefined && Number.isFinite(timestamp) ? timestamp : NaN;
    const early = this.early;
    if (early && Number.isFinite(value)) early.push([value, ts]);
    let score = 0;
    if (this.model) score = this.model.step(value, ts, true);
    else if (early && early.length >= this.o.warmup) this.model = SeriesModel.trainedOn(early);
    if (early && early.length >= SCALE_SAMPLE) {
      this.early = null;
      // A few dozen points can hide a skew; with more, the scale is decided once and the model
      // retrained on them if it changes (earlier scores stand: the scorer stays causal).
      const again = chooseTransform(early.map(([v]) => v));
      if (this.model && (again.useLog !== this.model.useLog)) this.model = SeriesModel.trainedOn(early, again);
    }
    return score;
  }

  explain(): Readonly<ScoreExplanation> {
    return this.model?.last ?? EMPTY_EXPLANATION;
  }
}

const EMPTY_EXPLANATION: ScoreExplanation = { z: 0, pointSurprise: 0, sustainedSurprise: 0, prediction: NaN, predictor: 'slow level', period: 0, logScale: false };

/** The models of one series on a fixed scale (raw or log) and time grid. */
class SeriesModel {
  private readonly y = new Float64Array(HISTORY).fill(NaN);
  /** Values net of the seasonal offset in effect when they arrived: the season's shape. */
  private readonly adj = new Float64Array(HISTORY).fill(NaN);
  private readonly recentZ = new Float64Array(4);
  private readonly slow = newPredictor('slow level', 0.05);
  private readonly fast = newPredictor('fast level', 0.5);
  private readonly seasonal = newPredictor('seasonal', 0.2);
  private readonly predictors = [this.slow, this.fast, this.seasonal];
  private chosen: Predictor = this.slow;
  private n = 0;
  private slot = -1;
  readonly useLog: boolean;
  private readonly logOffset: number;
  private readonly stepMs: number;
  private readonly regular: boolean;
  private lastTs = NaN;
  private period = 0;
  private nextPeriodCheck = 256;
  private quantum = Infinity;
  private lastY = NaN;
  readonly last: ScoreExplanation = { z: 0, pointSurprise: 0, sustainedSurprise: 0, prediction: NaN, predictor: 'slow level', period: 0, logScale: false };

  private constructor(t: Transform, grid: { regular: boolean; stepMs: number }) {
    this.useLog = t.useLog;
    this.logOffset = t.logOffset;
    this.regular = grid.regular;
    this.stepMs = grid.stepMs;
  }

  /** A model on the scale and grid these points suggest, trained on them (not scored). */
  static trainedOn(points: ReadonlyArray<[number, number]>, transform?: Transform): SeriesModel {
    const m = new SeriesModel(transform ?? chooseTransform(points.map(([v]) => v)), chooseGrid(points.map(([, t]) => t)));
    for (const [v, t] of points) m.step(v, t, false);
    return m;
  }

  private transform(x: number): number {
    return this.useLog ? Math.log(Math.max(x, 0) + this.logOffset) : x;
  }

  step(value: number, ts: number, scoring: boolean): number {
    this.advanceSlot(ts);
    if (!Number.isFinite(value)) return 0;
    const v = this.transform(value);
    const score = scoring ? this.score(v) : 0;
    this.learn(v);
    return score;
  }

  /** Moves to the grid slot of this timestamp, leaving holes (NaN) for missing points. */
  private advanceSlot(ts: number): void {
    let next = this.slot + 1;
    if (this.regular && ts === ts && this.lastTs === this.lastTs && ts > this.lastTs) {
      next = this.slot + Math.max(1, Math.round((ts - this.lastTs) / this.stepMs));
    }
    if (ts === ts) this.lastTs = ts;
    if (next - this.slot > HISTORY) {
      this.y.fill(NaN);
      this.adj.fill(NaN);
    } else {
      for (let s = this.slot + 1; s < next; s += 1) { this.y[s & MASK] = NaN; this.adj[s & MASK] = NaN; }
    }
    this.slot = next;
  }

  private score(v: number): number {
    const s = this.slot;
    this.fast.pred = this.fast.level;
    this.slow.pred = this.slow.level;
    const template = this.period > 0 ? this.seasonalTemplate(s) : NaN;
    this.templateCache = template;
    this.templateFor = s;
    this.seasonal.pred = template + this.seasonal.level;
    const floor = this.scaleFloor();
    const best = this.chosen;
    const bestScale = Math.max(best.mae, floor);
    // A point is as surprising as the less surprised of the two explanations, level and season,
    // when both describe the series about as well (mean absolute error within 2×): a daily burst
    // that the seasonal predictor expects is no alarm because the level predictor happens to lead.
    // Between the two level predictors only the better one counts: the fast one would otherwise
    // excuse every shift once it has followed it.
    const level = this.slow.errors >= MIN_ERRORS && this.fast.errors >= MIN_ERRORS && this.fast.mae < this.slow.mae ? this.fast : this.slow;
    let surprise = Infinity;
    let zBest = NaN;
    let pointBest = 0;
    let sustainedBest = 0;
    for (const p of this.predictors) {
      const e = v - p.pred;
      if (e !== e || p.errors < MIN_ERRORS && p !== best) continue;
      const scale = Math.max(p.mae, floor);
      const z = e / scale;
      const absZ = Math.abs(z);
      const point = p.tail.surprise(absZ);
      // Fisher over the last few errors, each clipped so that one huge spike cannot fake a run.
      const u = Math.min(point * LN10, SUSTAINED_CLIP);
      // Running sum over a ring of the last SUSTAINED − 1 clipped surprises, plus this one.
      const r = p.recentU;
      const sustained = erlang(p.recentSum + u, SUSTAINED);
      p.recentSum += u - r[p.ring];
      r[p.ring] = u;
      p.ring = p.ring + 1 === SUSTAINED - 1 ? 0 : p.ring + 1;
      // An alarm does not teach the tail what normal is (as SPOT leaves alarms out of its fit).
      if (point < ALARM_SURPRISE) p.tail.add(absZ);
      if (p === best) { zBest = z; pointBest = point; sustainedBest = sustained; }
      if (scale > 2 * bestScale || (p !== level && p !== this.seasonal)) continue;
      const sp = Math.max(point, sustained);
      if (sp < surprise) surprise = sp;
    }
    if (surprise === Infinity) surprise = 0;
    const l = this.last;
    l.z = zBest; l.pointSurprise = pointBest; l.sustainedSurprise = sustainedBest; l.prediction = this.back(best.pred);
    l.predictor = best.name; l.period = this.period; l.logScale = this.useLog;
    this.noteShift(zBest);
    // Two tests per point: Bonferroni.
    return toScore(surprise - LOG10_2);
  }

  /** Four same-sign errors beyond 2.5 scales: a level shift. The predictors jump to the new level. */
  private noteShift(z: number): void {
    const r = this.recentZ;
    r[3] = r[2]; r[2] = r[1]; r[1] = r[0]; r[0] = z === z ? z : 0;
    const up = r[0] > 2.5 && r[1] > 2.5 && r[2] > 2.5 && r[3] > 2.5;
    const down = r[0] < -2.5 && r[1] < -2.5 && r[2] < -2.5 && r[3] < -2.5;
    if (!up && !down) return;
    this.shiftPending = true;
    r.fill(0);
    for (const p of this.predictors) { p.recentU.fill(0); p.recentSum = 0; }
  }

  private shiftPending = false;
  /** The seasonal template computed while scoring slot templateFor, reused when learning it. */
  private templateCache = NaN;
  private templateFor = -1;

  private back(x: number): number {
    return this.useLog ? Math.exp(x) - this.logOffset : x;
  }

  private scaleFloor(): number {
    const q = this.quantum < Infinity ? 0.5 * this.quantum : 0;
    return Math.max(q, 1e-9 * Math.abs(this.fast.level), 1e-12);
  }

  private learn(v: number): void {
    const s = this.slot & MASK;
    this.y[s] = v;
    if (this.lastY === this.lastY && v !== this.lastY) {
      const d = Math.abs(v - this.lastY);
      if (d < this.quantum) this.quantum = d;
    }
    this.lastY = v;
    const floor = this.scaleFloor();
    const jump = this.shiftPending;
    this.shiftPending = false;
    this.learnLevel(this.slow, v, floor, jump);
    this.learnLevel(this.fast, v, floor, jump);
    if (this.period > 0) {
      const template = this.templateFor === this.slot ? this.templateCache : this.seasonalTemplate(this.slot);
      const sp = this.seasonal;
      if (template === template) {
        if (sp.level !== sp.level || jump) sp.level = v - template;
        else {
          this.updateError(sp, v - template - sp.level, floor);
          sp.level += sp.alpha * this.clip(v - template - sp.level, sp, floor);
        }
      }
      this.adj[s] = sp.level === sp.level ? v - sp.level : v;
    } else this.adj[s] = v;
    this.choose();
    this.n += 1;
    if (this.n >= this.nextPeriodCheck) {
      // Often while history is short (a season may just have become visible), rarely after.
      this.nextPeriodCheck = this.n < 1024 ? this.n + 256 : this.n < 16384 ? 2 * this.n : this.n + 262144;
      this.choosePeriod();
    }
  }

  private learnLevel(p: Predictor, v: number, floor: number, jump: boolean): void {
    if (p.level !== p.level || jump) { p.level = v; return; }
    this.updateError(p, v - p.level, floor);
    p.level += p.alpha * this.clip(v - p.level, p, floor);
  }

  /** Huber-style: an error counts at most three mean absolute errors toward the level. */
  private clip(e: number, p: Predictor, floor: number): number {
    const c = 3 * (p.mae === p.mae ? Math.max(p.mae, floor) : Math.abs(e));
    return e > c ? c : e < -c ? -c : e;
  }

  private updateError(p: Predictor, e: number, floor: number): void {
    const a = Math.abs(e);
    if (p.mae !== p.mae) { p.mae = Math.max(a, floor); p.errors = 1; return; }
    // A single huge error moves the scale by at most 6 scales' worth; two in a row are a new
    // scale (the end of a flat stretch, a variance change) and count in full.
    const cap = 6 * Math.max(p.mae, floor);
    const capped = a > cap && !p.wasCapped ? cap : a;
    p.wasCapped = a > cap;
    // Faster while young, so the first estimate does not linger.
    const alpha = Math.max(SCALE_ALPHA, 1 / (p.errors + 1));
    p.mae += alpha * (capped - p.mae);
    p.errors += 1;
  }

  /** The predictor with the lowest mean absolute error; a switch needs a clear (10%) advantage. */
  private choose(): void {
    let best = this.chosen.errors >= MIN_ERRORS ? this.chosen : this.slow;
    for (const p of this.predictors) {
      if (p === best || p.errors < MIN_ERRORS || !(p.mae === p.mae)) continue;
      if (p.mae < 0.9 * best.mae) best = p;
    }
    this.chosen = best;
  }

  /**
   * The same phase in up to three past seasons: the mean of phase−1..phase+1 of each, then the
   * median across seasons (NaN with fewer than two). Values are stored net of the offset, so the
   * shape survives level shifts.
   */
  private seasonalTemplate(t: number): number {
    const p = this.period;
    const a = this.adj;
    let c = 0;
    let m0 = NaN;
    let m1 = NaN;
    let m2 = NaN;
    for (let j = 1; j <= 3; j += 1) {
      const b = t - j * p;
      if (b - 1 <= this.slot - HISTORY) break;
      let sum = 0;
      let k = 0;
      const x0 = a[(b - 1) & MASK];
      const x1 = a[b & MASK];
      const x2 = a[(b + 1) & MASK];
      if (x0 === x0) { sum += x0; k += 1; }
      if (x1 === x1) { sum += x1; k += 1; }
      if (x2 === x2 && b + 1 < t) { sum += x2; k += 1; }
      if (k === 0) continue;
      const m = sum / k;
      if (c === 0) m0 = m; else if (c === 1) m1 = m; else m2 = m;
      c += 1;
    }
    if (c < 2) return NaN;
    if (c === 2) return (m0 + m1) / 2;
    return m0 > m1 ? (m1 > m2 ? m1 : m0 > m2 ? m2 : m0) : m0 > m2 ? m0 : m1 > m2 ? m2 : m1;
  }

  /** Seasonality belongs to the process: search the retained history (holes filled forward). */
  private choosePeriod(): void {
    const len = Math.min(this.slot + 1, 8192);
    if (len < 64) return;
    const series = new Float64Array(len);
    let prev = NaN;
    let seenAny = false;
    for (let k = 0; k < len; k += 1) {
      const x = this.y[(this.slot - len + 1 + k) & MASK];
      if (x === x) { prev = x; seenAny = true; }
      series[k] = prev;
    }
    if (!seenAny) return;
    const firstValid = series.findIndex((x) => x === x);
    const valid = series.subarray(firstValid);
    // Long histories are searched at half resolution (pairs averaged): a quarter of the cost, and
    // a season of hundreds of points is as clear; the seasonal template reads ±1 point anyway.
    let period: number;
    if (valid.length > 4096) {
      const half = new Float64Array(valid.length >> 1);
      for (let k = 0; k < half.length; k += 1) half[k] = 0.5 * (valid[2 * k] + valid[2 * k + 1]);
      period = 2 * detectPeriod(half, this.regular ? 2 * this.stepMs : NaN);
    } else period = detectPeriod(valid, this.regular ? this.stepMs : NaN);
    if (period === this.period) return;
    this.period = period;
    const sp = this.seasonal;
    sp.level = NaN; sp.mae = NaN; sp.errors = 0; sp.tail = new ErrorTail(); sp.recentU.fill(0); sp.recentSum = 0;
    if (this.chosen === sp) this.chosen = this.slow;
    // Re-base the stored shape: with no offset yet, the shape is the values themselves.
    const from = Math.max(0, this.slot - HISTORY + 1);
    for (let t = from; t <= this.slot; t += 1) this.adj[t & MASK] = this.y[t & MASK];
  }
}

/** Scores a whole series causally; NaN values score 0 and do not enter the models. */
export function scoreSeries(values: readonly number[], timestamps?: readonly number[], options?: Partial<StreamScorerOptions>): number[] {
  const scorer = new StreamScorer(options);
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i += 1) out[i] = scorer.update(values[i], timestamps?.[i]);
  return out;
}
