// Calibration of prediction errors into tail probabilities, for the stream scorer.
//
// A point's standardised prediction error |z| is turned into P(|Z| ≥ |z|) under the series' own
// recent error distribution, not an assumed Gaussian: a decayed histogram of |z| gives its 90th,
// 97th and 99th percentiles; above the 90th the tail is a generalised Pareto (peaks over threshold,
// as in SPOT, Siffer et al. KDD 2017) whose shape comes from the ratio of those percentiles and
// whose scale makes it pass through the 99th. Heavy-tailed or bursty series get a long tail and
// alarm less; clean ones a short tail. The tail is never lighter than exponential with a Gaussian's
// scale, so a series whose errors were all zero (a flat stretch) does not call every tiny move
// impossible. The caller leaves alarms out of the histogram: past incidents must not teach it that
// incidents are normal.
//
// The score is a monotone map of the surprise s = −log10 p that never saturates: score =
// s / (s + SURPRISE_AT_HALF). At the default threshold 0.5, p = 1e-3, the false-alarm budget of one
// per 1,000 points read directly (the scorer's min over explanations is conservative: on the labelled
// KPIs and the synthetic null streams it stays under the budget). Scores stay distinct at full
// precision (p = 1e-30 → 0.91, 1e-60 → 0.95).

/** −log10 p at which the score is 0.5 (p = 1e-3). */
export const SURPRISE_AT_HALF = 3;

export const ALARM_THRESHOLD = 0.5;

/** Surprise (−log10 p) → score in [0, 1). */
export function surpriseToScore(s: number): number {
  return s > 0 ? s / (s + SURPRISE_AT_HALF) : 0;
}

/** Score → the tail probability it stands for. */
export function scoreToProbability(score: number): number {
  if (!(score > 0)) return 1;
  if (score >= 1) return 0;
  return 10 ** (-(SURPRISE_AT_HALF * score) / (1 - score));
}

const BIN = 0.125;
const BINS = 400; // |z| up to 50; beyond counts in the last bin
const LN10 = Math.LN10;
/** Lightest tail we assume, in units of the mean absolute error: a Gaussian's (≈0.5). */
const MIN_TAIL = 0.5;
/** Prior percentiles (a Laplace error in mean-absolute-error units), worth PRIOR_WEIGHT points. */
const PRIOR_Q90 = 2.3;
const PRIOR_Q99 = 4.6;
const PRIOR_Q97 = 3.5;
const PRIOR_WEIGHT = 150;

/**
 * Decayed histogram of |z| with the exponential-tail fit. Memory is about `memory` points: when
 * the total passes 2·memory every count is halved.
 */
export class ErrorTail {
  private readonly counts = new Float64Array(BINS);
  private total = 0;
  private seen = 0;
  private sinceFit = Infinity;
  private q90 = PRIOR_Q90;
  /** Generalised Pareto tail above q90: shape ξ (0 = exponential) and scale σ. */
  private xi = 0;
  private sigma = (PRIOR_Q99 - PRIOR_Q90) / LN10;

  constructor(private readonly memory = 5000) {}

  add(absZ: number): void {
    let b = Math.floor(absZ / BIN);
    if (!(b < BINS)) b = BINS - 1;
    this.counts[b] += 1;
    this.total += 1;
    this.seen += 1;
    if (this.total > 2 * this.memory) {
      for (let k = 0; k < BINS; k += 1) this.counts[k] *= 0.5;
      this.total *= 0.5;
    }
    this.sinceFit += 1;
  }

  /** −log10 P(|Z| ≥ absZ). */
  surprise(absZ: number): number {
    if (this.sinceFit >= 64) this.fit();
    if (absZ <= this.q90) return -Math.log(1 - 0.9 * (absZ / this.q90)) / LN10;
    const y = absZ - this.q90;
    if (this.xi === 0) return 1 + y / (this.sigma * LN10);
    return 1 + Math.log(1 + (this.xi * y) / this.sigma) / (this.xi * LN10);
  }

  private fit(): void {
    this.sinceFit = 0;
    const [q90, q97, q99] = this.quantiles(0.9, 0.97, 0.99);
    // Few points: lean on the prior, which fades as evidence accumulates.
    const w = this.seen / (this.seen + PRIOR_WEIGHT);
    const a = Math.max(w * q90 + (1 - w) * PRIOR_Q90, MIN_TAIL);
    const y1 = Math.max(w * q99 + (1 - w) * PRIOR_Q99 - a, MIN_TAIL * LN10);
    const y3 = w * q97 + (1 - w) * PRIOR_Q97 - a;
    // Shape from quantiles well inside the data (so leaving alarms out does not truncate them): for
    // a generalised Pareto tail (q99 − q90) / (q97 − q90) = (10^ξ − 1) / ((10/3)^ξ − 1).
    this.xi = y3 > 0 ? paretoShape(y1 / y3) : 0;
    this.q90 = a;
    // Scale so the tail passes through q99: y1 = σ (10^ξ − 1) / ξ.
    this.sigma = this.xi === 0 ? y1 / LN10 : (y1 * this.xi) / (10 ** this.xi - 1);
  }

  /** Three quantiles (qa < qb < qc) in one pass, by linear interpolation inside the histogram bin. */
  private quantiles(qa: number, qb: number, qc: number): [number, number, number] {
    const out: [number, number, number] = [BINS * BIN, BINS * BIN, BINS * BIN];
    if (!(this.total > 0)) return [0, 0, 0];
    const targets = [qa * this.total, qb * this.total, qc * this.total];
    let j = 0;
    let acc = 0;
    for (let k = 0; k < BINS && j < 3; k += 1) {
      const c = this.counts[k];
      while (j < 3 && acc + c >= targets[j]) { out[j] = (k + (c > 0 ? (targets[j] - acc) / c : 0)) * BIN; j += 1; }
      acc += c;
    }
    return out;
  }
}

/** ξ ∈ [0, 1] with (10^ξ − 1) / ((10/3)^ξ − 1) = ratio (1.91 at ξ = 0, exponential; 3.86 at ξ = 1), by bisection. */
export function paretoShape(ratio: number): number {
  const f = (xi: number) => (xi === 0 ? Math.LN10 / Math.log(10 / 3) : (10 ** xi - 1) / ((10 / 3) ** xi - 1));
  if (!(ratio > f(0))) return 0;
  if (ratio >= f(1)) return 1;
  let lo = 0;
  let hi = 1;
  for (let k = 0; k < 30; k += 1) {
    const mid = 0.5 * (lo + hi);
    if (f(mid) < ratio) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * Survival of a sum of `k` independent Exp(1) variables (Erlang/Gamma(k, 1)), as −log10: Fisher's
 * way of combining the last k tail probabilities (each −ln p is Exp(1) when p is calibrated).
 */
export function erlangSurprise(sum: number, k: number): number {
  if (!(sum > 0)) return 0;
  let term = 1;
  let acc = 1;
  for (let j = 1; j < k; j += 1) { term *= sum / j; acc += term; }
  return (sum - Math.log(acc)) / LN10;
}

