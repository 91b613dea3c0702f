// Causal anomaly scorer for one metric stream (the `flowtune detect` engine).
//
// Each point is scored only from the points before it. The evidence is an ensemble:
//  - point deviation: robust z against a rolling median / IQR baseline, on a log scale when the
//    series is positive and right-skewed (latency, counts);
//  - seasonal residual: when the history shows a period (from timestamps: hour/day/week, or an
//    autocorrelation search), the deviation from the median of the same phase in past seasons;
//  - sustained shift: two-sided tabular CUSUM on clipped z, which catches shifts too small for a
//    point alarm; when it fires the baseline restarts from the change point, so a new normal level
//    stops alarming instead of spamming until the rolling window catches up;
//  - variance change: an EWMA of clipped z².
// The strongest evidence, expressed in units of its alert threshold, maps smoothly to [0,1]
// (1 threshold → 0.5). After an alert a short refractory period damps repeats of the same incident.
// Per-point cost is O(1) amortised: quantiles come from quickselect on a bounded window every few
// points, and the period search runs on a doubling schedule.
import { selectKth } from './select';
import { detectPeriod } from './periodicity';

export interface StreamScorerOptions {
  /** Points scored 0 while the baseline forms. */
  warmup: number;
  /** Rolling baseline window (points). */
  window: number;
  /** Recompute the baseline every this many points. */
  recomputeEvery: number;
  /** Robust z that counts as one threshold of point evidence. */
  zThreshold: number;
  cusumK: number;
  cusumH: number;
  /** Clip z before CUSUM so single spikes cannot fake a shift. */
  cusumClip: number;
  varianceLambda: number;
  /** EWMA of z² that counts as one threshold of variance evidence. */
  varianceThreshold: number;
  /** Points after an alert during which scores are damped unless the evidence escalates. */
  refractory: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamScorerOptions = {
  warmup: 40,
  window: 480,
  recomputeEvery: 8,
  zThreshold: 5,
  cusumK: 0.75,
  cusumH: 9,
  cusumClip: 3.5,
  varianceLambda: 0.08,
  varianceThreshold: 5,
  refractory: 24,
};

const HISTORY = 8192;
const LN2 = Math.LN2;

/** Smooth map of evidence (in threshold units) to [0,1]: 0.5 at 1, ≈0.04 at 0.5, ≈0.96 at 1.5. */
export function evidenceToScore(e: number): number {
  if (!(e > 0)) return 0;
  const e2 = e * e;
  return 1 - Math.exp(-LN2 * e2 * e2);
}

export class StreamScorer {
  private readonly o: StreamScorerOptions;
  private readonly raw = new Float64Array(HISTORY);
  private readonly y = new Float64Array(HISTORY);
  private readonly scratch: Float64Array;
  private n = 0;
  /** Transform: none, or log(x + offset). */
  private useLog = false;
  private logOffset = 0;
  private center = NaN;
  private scale = NaN;
  private sinceRecompute = Infinity;
  /** Index (in n) where the current regime began: the baseline never looks before it. */
  private regimeStart = 0;
  private cusumUp = 0;
  private cusumDown = 0;
  private cusumUpStart = 0;
  private cusumDownStart = 0;
  private varEwma = 1;
  private period = 0;
  private seasonalScale = NaN;
  private nextPeriodCheck: number;
  private refractoryLeft = 0;
  private alertEvidence = 0;
  private lastTimestamp = NaN;
  private readonly gaps: number[] = [];

  constructor(options: Partial<StreamScorerOptions> = {}) {
    this.o = { ...DEFAULT_STREAM_OPTIONS, ...options };
    this.scratch = new Float64Array(Math.max(this.o.window, 64));
    this.nextPeriodCheck = 256;
  }

  /** Scores one observation from the state built on earlier ones, then learns from it. */
  update(value: number, timestamp?: number): number {
    if (timestamp !== undefined && Number.isFinite(timestamp)) this.noteTimestamp(timestamp);
    if (!Number.isFinite(value)) return 0;
    const score = this.n >= this.o.warmup ? this.score(value) : 0;
    this.learn(value);
    return score;
  }

  private noteTimestamp(ts: number): void {
    if (Number.isFinite(this.lastTimestamp) && this.gaps.length < 64 && ts > this.lastTimestamp) {
      this.gaps.push(ts - this.lastTimestamp);
    }
    this.lastTimestamp = ts;
  }

  private transform(x: number): number {
    return this.useLog ? Math.log(Math.max(x, 0) + this.logOffset) : x;
  }

  private at(buf: Float64Array, i: number): number {
    return buf[i % HISTORY];
  }

  private score(value: number): number {
    if (this.sinceRecompute >= this.o.recomputeEvery) this.recompute();
    const o = this.o;
    const v = this.transform(value);
    let z = (v - this.center) / this.scale;
    if (this.period > 0 && this.seasonalScale > 0) {
      // The seasonal model, when trusted, replaces the flat one for every detector.
      const pred = this.seasonalPrediction(this.n);
      if (Number.isFinite(pred)) z = (v - pred) / this.seasonalScale;
    }
    const zPoint = Math.abs(z);
    // Shift and variance evidence update here (they are about the new point too), still causal:
    // the baseline they compare against was built from earlier points only.
    const zc = z > o.cusumClip ? o.cusumClip : z < -o.cusumClip ? -o.cusumClip : z;
    if (this.cusumUp === 0) this.cusumUpStart = this.n;
    if (this.cusumDown === 0) this.cusumDownStart = this.n;
    this.cusumUp = Math.max(0, this.cusumUp + zc - o.cusumK);
    this.cusumDown = Math.max(0, this.cusumDown - zc - o.cusumK);
    const z2 = Math.min(zc * zc, o.cusumClip * o.cusumClip);
    this.varEwma = o.varianceLambda * z2 + (1 - o.varianceLambda) * this.varEwma;

    // Young baselines are uncertain: demand more evidence until about 100 points back it.
    const support = Math.min(this.n - this.regimeStart, o.window);
    const inflate = 1 + 6 / Math.max(support, 6);
    const ePoint = zPoint / (o.zThreshold * inflate);
    const cusum = Math.max(this.cusumUp, this.cusumDown);
    const eShift = cusum / o.cusumH;
    const eVar = this.varEwma / (o.varianceThreshold * inflate);
    const e = Math.max(ePoint, eShift, eVar);

    if (eShift >= 1) this.startRegime();

    let s = evidenceToScore(e);
    if (this.refractoryLeft > 0) {
      this.refractoryLeft -= 1;
      if (e < 1.5 * this.alertEvidence) s = Math.min(s, 0.2 * s + 0.05);
      else this.alertEvidence = e;
    } else if (s >= 0.5) {
      this.refractoryLeft = o.refractory;
      this.alertEvidence = e;
    }
    return s;
  }

  /** A sustained shift was confirmed: restart the baseline at the estimated change point. */
  private startRegime(): void {
    const start = this.cusumUp >= this.cusumDown ? this.cusumUpStart : this.cusumDownStart;
    this.regimeStart = Math.max(this.regimeStart, start, this.n - HISTORY + 1);
    this.cusumUp = 0;
    this.cusumDown = 0;
    this.varEwma = 1;
    this.sinceRecompute = Infinity;
  }

  private learn(value: number): void {
    const i = this.n % HISTORY;
    this.raw[i] = value;
    this.y[i] = this.transform(value);
    this.n += 1;
    this.sinceRecompute += 1;
    if (this.n === this.o.warmup || this.n === this.nextPeriodCheck) {
      this.chooseTransform();
      if (this.n === this.nextPeriodCheck) {
        this.choosePeriod();
        this.nextPeriodCheck = Math.min(this.nextPeriodCheck * 2, this.nextPeriodCheck + 16384);
      }
      this.sinceRecompute = Infinity;
    }
  }

  /** Log scale when the (recent) values are positive and right-skewed; re-encodes the history. */
  private chooseTransform(): void {
    const m = Math.min(this.n, this.o.window);
    const buf = this.scratch;
    for (let k = 0; k < m; k += 1) buf[k] = this.at(this.raw, this.n - 1 - k);
    const min = selectKth(buf, m, 0);
    const q05 = selectKth(buf, m, Math.floor(0.05 * (m - 1)));
    const q50 = selectKth(buf, m, Math.floor(0.5 * (m - 1)));
    const q95 = selectKth(buf, m, Math.floor(0.95 * (m - 1)));
    const skewed = min >= 0 && q95 > q50 && q95 - q50 > 2.5 * Math.max(q50 - q05, 1e-12);
    const useLog = skewed && q50 > 0;
    const offset = useLog ? Math.max(0.25 * q50, 1e-9) : 0;
    if (useLog === this.useLog && (!useLog || Math.abs(offset - this.logOffset) < 0.5 * this.logOffset)) return;
    this.useLog = useLog;
    this.logOffset = offset;
    const from = Math.max(0, this.n - HISTORY);
    for (let k = from; k < this.n; k += 1) this.y[k % HISTORY] = this.transform(this.raw[k % HISTORY]);
  }

  private choosePeriod(): void {
    const len = Math.min(this.n - this.regimeStart, HISTORY, 4096);
    if (len < 64) return;
    const series = new Float64Array(len);
    for (let k = 0; k < len; k += 1) series[k] = this.at(this.y, this.n - len + k);
    const gaps = [...this.gaps].sort((a, b) => a - b);
    const step = gaps.length > 0 ? gaps[gaps.length >> 1] : NaN;
    this.period = detectPeriod(series, step);
  }

  /** Median of the same phase in up to three past seasons (NaN without two of them). */
  private seasonalPrediction(t: number): number {
    const p = this.period;
    const earliest = Math.max(this.regimeStart, this.n - HISTORY);
    const a = t - p >= earliest ? this.at(this.y, t - p) : NaN;
    const b = t - 2 * p >= earliest ? this.at(this.y, t - 2 * p) : NaN;
    const c = t - 3 * p >= earliest ? this.at(this.y, t - 3 * p) : NaN;
    if (Number.isNaN(b)) return NaN;
    if (Number.isNaN(c)) return (a + b) / 2;
    return a > b ? (b > c ? b : a > c ? c : a) : a > c ? a : b > c ? c : b;
  }

  private recompute(): void {
    this.sinceRecompute = 0;
    const m = Math.min(this.n - this.regimeStart, this.o.window);
    if (m < 8) {
      // A new regime with too few points: take its level from what we have, keep the old scale.
      if (m >= 1) this.center = this.medianOfLast(m);
      return;
    }
    const buf = this.scratch;
    for (let k = 0; k < m; k += 1) buf[k] = this.at(this.y, this.n - 1 - k);
    this.center = selectKth(buf, m, m >> 1);
    const q25 = selectKth(buf, m, Math.floor(0.25 * (m - 1)));
    const q75 = selectKth(buf, m, Math.ceil(0.75 * (m - 1)));
    let scale = (q75 - q25) / 1.349;
    if (!(scale > 0)) {
      let s = 0;
      for (let k = 0; k < m; k += 1) s += Math.abs(buf[k] - this.center);
      scale = 1.2533 * (s / m);
    }
    // Floors: a flat series must not turn rounding noise into infinite z.
    const floor = Math.max(0.005 * Math.abs(this.center), this.useLog ? 0.005 : 0, 1e-9);
    this.scale = Math.max(scale, floor);
    this.seasonalScale = this.period > 0 ? this.residualScale(m, floor) : NaN;
  }

  private medianOfLast(m: number): number {
    const buf = this.scratch;
    for (let k = 0; k < m; k += 1) buf[k] = this.at(this.y, this.n - 1 - k);
    return selectKth(buf, m, m >> 1);
  }

  /** Robust scale of seasonal residuals; NaN when the season does not explain the series well. */
  private residualScale(m: number, floor: number): number {
    const buf = this.scratch;
    let c = 0;
    for (let k = 0; k < m; k += 1) {
      const t = this.n - 1 - k;
      const pred = this.seasonalPrediction(t);
      if (Number.isFinite(pred)) buf[c++] = Math.abs(this.at(this.y, t) - pred);
    }
    if (c < 32) return NaN;
    const medAbs = selectKth(buf, c, c >> 1);
    const s = Math.max(1.4826 * medAbs, floor);
    // Only trust the seasonal model when it explains clearly more than the flat baseline.
    return s < 0.7 * this.scale ? s : NaN;
  }
}

/** Scores a whole series causally; NaN values score 0 and do not enter the baseline. */
export function scoreSeries(values: readonly number[], timestamps?: readonly number[], options?: Partial<StreamScorerOptions>): number[] {
  const scorer = new StreamScorer(options);
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i += 1) out[i] = scorer.update(values[i], timestamps?.[i]);
  return out;
}
