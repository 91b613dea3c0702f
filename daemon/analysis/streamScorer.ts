// Causal anomaly scorer for one metric stream (the `flowtune detect` engine).
//
// Each point is scored only from the points before it. The evidence is an ensemble:
//  - point deviation: robust z against a rolling median / IQR baseline, on a log scale when the
//    bulk of a positive series is more symmetric there (latency, counts);
//  - seasonal residual: when the history shows a period (autocorrelation, snapped to hour/day/week
//    when timestamps say so), the deviation from the median of the same phase in past seasons
//    replaces the flat baseline, if it explains the series clearly better;
//  - sustained shift: two-sided tabular CUSUM on clipped z, shrunk for autocorrelation, which
//    catches shifts too small for a point alarm; when it fires the baseline restarts from the
//    change point, so a new normal level stops alarming instead of spamming;
//  - variance change: an EWMA of clipped z².
// The strongest evidence, in units of its alert threshold, maps smoothly to [0,1] (1 threshold →
// 0.5). After an alert a short refractory period damps repeats of the same incident.
// Per-point cost is O(1) amortised: quantiles come from quickselect on a bounded window every few
// points, seasonal residuals are computed once per point, and the period search is rare.
import { selectKth, selectKthRange } from './select';
import { detectPeriod } from './periodicity';

export interface StreamScorerOptions {
  /** Points scored 0 while the baseline forms. */
  warmup: number;
  /** Rolling baseline window (points). */
  window: number;
  /** Recompute the baseline every this many points once the window is full (4 before). */
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
  /** Distance from the last five points, in point-to-point noise units, that counts as one threshold. */
  localThreshold: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamScorerOptions = {
  warmup: 40,
  window: 480,
  recomputeEvery: 48,
  zThreshold: 5,
  cusumK: 0.75,
  cusumH: 9,
  cusumClip: 3.5,
  varianceLambda: 0.08,
  varianceThreshold: 5,
  refractory: 24,
  localThreshold: 8,
};

const HISTORY = 8192;
const MASK = HISTORY - 1;
const LN2 = Math.LN2;

/** Smooth map of evidence (in threshold units) to [0,1]: 0.5 at 1, ≈0.04 at 0.5, ≈0.96 at 1.5. */
export function evidenceToScore(e: number): number {
  if (!(e > 0)) return 0;
  const e2 = e * e;
  return 1 - Math.exp(-LN2 * e2 * e2);
}

/** Which detector drove the last score, for explanations. */
export interface ScoreExplanation {
  point: number;
  shift: number;
  variance: number;
  period: number;
  seasonal: boolean;
  logScale: boolean;
}

export class StreamScorer {
  private readonly o: StreamScorerOptions;
  private readonly raw = new Float64Array(HISTORY);
  private readonly y = new Float64Array(HISTORY);
  /** Seasonal residual of each point (NaN without a period or enough seasons). */
  private readonly res = new Float64Array(HISTORY).fill(NaN);
  /** Values minus the seasonal bias in effect when they arrived: level-consistent across shifts. */
  private readonly adj = new Float64Array(HISTORY);
  private readonly scratch: Float64Array;
  private readonly five = new Float64Array(5);
  /** Point-to-point noise: 1.4826·median|Δy|/√2 over the window. */
  private localScale = NaN;
  private n = 0;
  private useLog = false;
  private logOffset = 0;
  private center = NaN;
  private scale = NaN;
  private sinceRecompute = Infinity;
  /** Index where the current regime began: the flat baseline never looks before it. */
  private regimeStart = 0;
  private priorScale = NaN;
  private priorSeasonalScale = NaN;
  private cusumUp = 0;
  private cusumDown = 0;
  private cusumUpStart = 0;
  private cusumDownStart = 0;
  private cusumShrink = 1;
  private varEwma = 1;
  private period = 0;
  private seasonalScale = NaN;
  /** Median seasonal residual in the current regime: a level shift moves it, not the season. */
  private seasonalBias = 0;
  private nextPeriodCheck = 256;
  /** The seasonal prediction computed while scoring point predCacheFor, reused when learning it. */
  private predCache = NaN;
  private predCacheFor = -1;
  private refractoryLeft = 0;
  private alertEvidence = 0;
  private lastTimestamp = NaN;
  private readonly gaps: number[] = [];
  private readonly last: ScoreExplanation = { point: 0, shift: 0, variance: 0, period: 0, seasonal: false, logScale: false };

  constructor(options: Partial<StreamScorerOptions> = {}) {
    this.o = { ...DEFAULT_STREAM_OPTIONS, ...options };
    this.scratch = new Float64Array(Math.max(this.o.window, 64));
  }

  /** Scores one observation from the state built on earlier ones, then learns from it. */
  update(value: number, timestamp?: number): number {
    if (timestamp !== undefined && Number.isFinite(timestamp)) this.noteTimestamp(timestamp);
    if (!Number.isFinite(value)) return 0;
    const score = this.n >= this.o.warmup ? this.score(value) : 0;
    this.learn(value);
    return score;
  }

  explain(): Readonly<ScoreExplanation> {
    return this.last;
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

  private score(value: number): number {
    const o = this.o;
    const mature = this.n - this.regimeStart >= o.window;
    if (this.sinceRecompute >= (mature ? o.recomputeEvery : 4)) this.recompute();
    const v = this.transform(value);
    let z = (v - this.center) / this.scale;
    const seasonal = this.seasonalScale > 0;
    if (seasonal) {
      const pred = this.seasonalPrediction(this.n);
      this.predCache = pred;
      this.predCacheFor = this.n;
      if (pred === pred) z = (v - pred - this.seasonalBias) / this.seasonalScale;
    }
    const clip = o.cusumClip;
    // Autocorrelated noise makes sums wander: shrink z by the long-run sd factor before summing.
    let zc = z * this.cusumShrink;
    zc = zc > clip ? clip : zc < -clip ? -clip : zc;
    if (this.cusumUp === 0) this.cusumUpStart = this.n;
    if (this.cusumDown === 0) this.cusumDownStart = this.n;
    this.cusumUp = Math.max(0, this.cusumUp + zc - o.cusumK);
    this.cusumDown = Math.max(0, this.cusumDown - zc - o.cusumK);
    const zv = z > clip ? clip : z < -clip ? -clip : z;
    this.varEwma = o.varianceLambda * zv * zv + (1 - o.varianceLambda) * this.varEwma;

    // Young baselines are uncertain: demand more evidence until about a hundred points back it.
    const support = Math.min(this.n - this.regimeStart, o.window);
    const inflate = 1 + 6 / Math.max(support, 6);
    let ePoint = Math.abs(z) / (o.zThreshold * inflate);
    if (!seasonal && this.localScale > 0 && this.n >= 5) {
      // Local view: distance from the last few points in units of point-to-point noise. It sees a
      // spike riding on a slow cycle or trend that the wide flat baseline absorbs.
      const eLocal = Math.abs(v - this.localLevel()) / (this.localScale * o.localThreshold * inflate);
      if (eLocal > ePoint) ePoint = eLocal;
    }
    const eShift = Math.max(this.cusumUp, this.cusumDown) / (o.cusumH * inflate);
    const eVar = this.varEwma / (o.varianceThreshold * inflate);
    const e = Math.max(ePoint, eShift, eVar);
    const l = this.last;
    l.point = ePoint; l.shift = eShift; l.variance = eVar; l.period = this.period; l.seasonal = seasonal; l.logScale = this.useLog;

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

  /** Median of the last five values (insertion into a five-slot buffer). */
  private localLevel(): number {
    const w = this.five;
    for (let k = 0; k < 5; k += 1) {
      const x = this.y[(this.n - 1 - k) & MASK];
      let q = k;
      while (q > 0 && w[q - 1] > x) { w[q] = w[q - 1]; q -= 1; }
      w[q] = x;
    }
    return w[2];
  }

  /** A sustained shift was confirmed: restart the baseline at the estimated change point. */
  private startRegime(): void {
    const start = this.cusumUp >= this.cusumDown ? this.cusumUpStart : this.cusumDownStart;
    this.regimeStart = Math.max(this.regimeStart, start, this.n - HISTORY + 1);
    this.priorScale = this.scale;
    this.priorSeasonalScale = this.seasonalScale;
    this.cusumUp = 0;
    this.cusumDown = 0;
    this.varEwma = 1;
    this.sinceRecompute = Infinity;
  }

  private learn(value: number): void {
    const i = this.n & MASK;
    this.raw[i] = value;
    this.y[i] = this.transform(value);
    const pred = this.predCacheFor === this.n ? this.predCache : this.period > 0 ? this.seasonalPrediction(this.n) : NaN;
    this.res[i] = this.y[i] - pred;
    this.adj[i] = this.y[i] - this.seasonalBias;
    this.n += 1;
    this.sinceRecompute += 1;
    if (this.n === this.o.warmup || this.n === this.nextPeriodCheck) {
      let changed = this.chooseTransform();
      if (this.n === this.nextPeriodCheck) {
        changed = this.choosePeriod() || changed;
        // Often while history is short (a season may just have become visible), rarely after.
        this.nextPeriodCheck = this.n < 1024 ? this.n + 256 : this.n < 4096 ? Math.round(this.n * 1.5) : this.n + 65536;
      }
      if (changed) this.recomputeResiduals();
      this.sinceRecompute = Infinity;
    }
  }

  /** Chooses log scale when a positive series' bulk is more symmetric there; true if it changed. */
  private chooseTransform(): boolean {
    const m = Math.min(this.n, this.o.window);
    const buf = this.scratch;
    for (let k = 0; k < m; k += 1) buf[k] = this.raw[(this.n - 1 - k) & MASK];
    const min = selectKth(buf, m, 0);
    const q05 = selectKth(buf, m, Math.floor(0.05 * (m - 1)));
    const q50 = selectKth(buf, m, Math.floor(0.5 * (m - 1)));
    const q95 = selectKth(buf, m, Math.floor(0.95 * (m - 1)));
    let useLog = false;
    let offset = 0;
    if (min >= 0 && q50 > 0 && q95 > q50 && q50 > q05) {
      // Zeros are common in counts: a larger offset keeps them from looking like deep dips.
      offset = Math.max((q05 > 0 ? 0.02 : 0.25) * q50, 1e-9);
      const rawSkew = Math.abs(Math.log((q95 - q50) / (q50 - q05)));
      const l05 = Math.log(q05 + offset);
      const l50 = Math.log(q50 + offset);
      const l95 = Math.log(q95 + offset);
      const logSkew = Math.abs(Math.log((l95 - l50) / (l50 - l05)));
      useLog = rawSkew > 0.3 && logSkew < rawSkew;
    }
    if (!useLog) offset = 0;
    if (useLog === this.useLog && (!useLog || Math.abs(offset - this.logOffset) < 0.5 * this.logOffset)) return false;
    this.useLog = useLog;
    this.logOffset = offset;
    for (let k = Math.max(0, this.n - HISTORY); k < this.n; k += 1) this.y[k & MASK] = this.transform(this.raw[k & MASK]);
    this.priorScale = NaN;
    this.priorSeasonalScale = NaN;
    return true;
  }

  /** Seasonality belongs to the process, not the regime: search the whole retained history. */
  private choosePeriod(): boolean {
    // Later re-checks use a shorter span: enough for periods up to 700 points, and cheap.
    const len = Math.min(this.n, this.n <= 4096 ? 4096 : 2048);
    if (len < 64) return false;
    const series = new Float64Array(len);
    for (let k = 0; k < len; k += 1) series[k] = this.y[(this.n - len + k) & MASK];
    const gaps = [...this.gaps].sort((a, b) => a - b);
    const step = gaps.length > 0 ? gaps[gaps.length >> 1] : NaN;
    const period = detectPeriod(series, step);
    if (period === this.period) return false;
    this.period = period;
    if (period === 0) this.seasonalScale = NaN;
    return true;
  }

  private recomputeResiduals(): void {
    this.seasonalBias = 0;
    const from = Math.max(0, this.n - HISTORY);
    for (let t = from; t < this.n; t += 1) this.adj[t & MASK] = this.y[t & MASK];
    for (let t = from; t < this.n; t += 1) {
      this.res[t & MASK] = this.period > 0 ? this.y[t & MASK] - this.seasonalPrediction(t) : NaN;
    }
  }

  /**
   * Same phase in past seasons: the mean of phase−1..phase+1 in each of up to three seasons, then
   * the median across seasons (NaN without two seasons). The shape of a season survives level
   * shifts (values are stored net of the bias in effect), so it looks past regime boundaries.
   */
  private seasonalPrediction(t: number): number {
    const p = this.period;
    const earliest = Math.max(0, this.n - HISTORY + 1);
    const b1 = t - p;
    const b2 = b1 - p;
    const b3 = b2 - p;
    if (b2 - 1 < earliest) return NaN;
    const a = this.adj;
    const s1 = a[(b1 - 1) & MASK] + a[b1 & MASK] + a[(b1 + 1) & MASK];
    const s2 = a[(b2 - 1) & MASK] + a[b2 & MASK] + a[(b2 + 1) & MASK];
    if (b3 - 1 < earliest) return (s1 + s2) / 6;
    const s3 = a[(b3 - 1) & MASK] + a[b3 & MASK] + a[(b3 + 1) & MASK];
    const med = s1 > s2 ? (s2 > s3 ? s2 : s1 > s3 ? s3 : s1) : s1 > s3 ? s1 : s2 > s3 ? s3 : s2;
    return med / 3;
  }

  private recompute(): void {
    this.sinceRecompute = 0;
    const span = Math.min(this.n - this.regimeStart, this.o.window);
    // Long windows are subsampled 1 in 2: quantiles of 240 points are as good, at half the cost.
    const stride = span >= 256 ? 2 : 1;
    const m = Math.ceil(span / stride);
    const buf = this.scratch;
    for (let k = 0; k < m; k += 1) buf[k] = this.y[(this.n - 1 - k * stride) & MASK];
    if (m < 8) {
      // A new regime with too few points: take its level from what we have, keep the old scales.
      if (m >= 1) this.center = selectKth(buf, m, m >> 1);
      if (m >= 1 && this.period > 0) this.seasonalBias = this.residualStats(m, 1)[0];
      return;
    }
    const mid = m >> 1;
    this.center = selectKth(buf, m, mid);
    const q25 = selectKthRange(buf, 0, mid, Math.floor(0.25 * (m - 1)));
    const q75 = selectKthRange(buf, mid, m - 1, Math.ceil(0.75 * (m - 1)));
    let scale = (q75 - q25) / 1.349;
    if (!(scale > 0)) {
      let s = 0;
      for (let k = 0; k < m; k += 1) s += Math.abs(buf[k] - this.center);
      scale = 1.2533 * (s / m);
    }
    // Floors: a flat series must not turn rounding noise into infinite z.
    const floor = Math.max(0.005 * Math.abs(this.center), this.useLog ? 0.005 : 0, 1e-9);
    if (span < 60 && this.priorScale > 0) scale = Math.max(scale, 0.7 * this.priorScale);
    this.scale = Math.max(scale, floor);
    this.seasonalScale = this.period > 0 ? this.residualScale(m, stride, span, floor) : NaN;
    this.cusumShrink = this.longRunShrink(span);
    this.localScale = this.diffScale(m, stride, floor);
  }

  /** Median, median absolute deviation and count of the seasonal residuals of the last m points. */
  private residualStats(m: number, stride: number): [number, number, number] {
    const buf = this.scratch;
    let c = 0;
    for (let k = 0; k < m; k += 1) {
      const r = this.res[(this.n - 1 - k * stride) & MASK];
      if (r === r) buf[c++] = r;
    }
    if (c === 0) return [0, NaN, 0];
    const bias = selectKth(buf, c, c >> 1);
    for (let k = 0; k < c; k += 1) buf[k] = Math.abs(buf[k] - bias);
    return [bias, selectKth(buf, c, c >> 1), c];
  }

  /** Robust scale of seasonal residuals; NaN when the season does not explain the series well. */
  private residualScale(m: number, stride: number, span: number, floor: number): number {
    const [bias, medAbs, c] = this.residualStats(m, stride);
    if (c * stride < 32) return NaN;
    this.seasonalBias = bias;
    let s = Math.max(1.4826 * medAbs, floor);
    if (span < 60 && this.priorSeasonalScale > 0) s = Math.max(s, 0.7 * this.priorSeasonalScale);
    // Only trust the seasonal model when it explains clearly more than the flat baseline.
    return s < 0.7 * this.scale ? s : NaN;
  }

  /** Robust sd of the noise from first differences, which ignore slow cycles and trends. */
  private diffScale(m: number, stride: number, floor: number): number {
    const buf = this.scratch;
    let c = 0;
    for (let k = 0; k < m; k += 1) {
      const t = this.n - 1 - k * stride;
      if (t - 1 < this.regimeStart) break;
      buf[c++] = Math.abs(this.y[t & MASK] - this.y[(t - 1) & MASK]);
    }
    if (c < 16) return NaN;
    return Math.max((1.4826 / Math.SQRT2) * selectKth(buf, c, c >> 1), floor);
  }

  /** 1/√((1+ρ)/(1−ρ)) from the lag-1 autocorrelation of the active model's deviations. */
  private longRunShrink(m: number): number {
    const seasonal = this.seasonalScale > 0;
    let num = 0;
    let den = 0;
    let prev = NaN;
    for (let k = m - 1; k >= 0; k -= 1) {
      const i = (this.n - 1 - k) % HISTORY;
      const d = seasonal ? this.res[i] - this.seasonalBias : this.y[i] - this.center;
      if (d !== d) { prev = NaN; continue; }
      den += d * d;
      if (prev === prev) num += d * prev;
      prev = d;
    }
    const rho = den > 0 ? Math.min(0.95, Math.max(0, num / den)) : 0;
    return Math.sqrt((1 - rho) / (1 + rho));
  }
}

/** Scores a whole series causally; NaN values score 0 and do not enter the baseline. */
export function scoreSeries(values: readonly number[], timestamps?: readonly number[], options?: Partial<StreamScorerOptions>): number[] {
  const scorer = new StreamScorer(options);
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i += 1) out[i] = scorer.update(values[i], timestamps?.[i]);
  return out;
}
