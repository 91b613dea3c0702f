// Concurrency limit algorithms, after Netflix concurrency-limits (REFERENCES A 3.1). Pure: they see
// samples (round-trip time, requests in flight, whether the request was dropped) and return the new
// limit. The proxy combines them: AIMD reacts to 429s and timeouts, Gradient2 to queueing latency.

export interface LimitSample {
  rttMs: number;
  inflight: number;
  /** The upstream refused (429) or the request timed out. */
  didDrop: boolean;
}

export interface AimdOptions {
  initial: number;
  min: number;
  max: number;
  /** Multiplier on a drop, in [0.5, 1). */
  backoffRatio: number;
  /** A sample slower than this counts as a drop. */
  timeoutMs: number;
}

export const AIMD_DEFAULTS: AimdOptions = { initial: 20, min: 20, max: 200, backoffRatio: 0.9, timeoutMs: 5000 };

/** Additive increase, multiplicative decrease (AIMDLimit). */
export class AimdLimit {
  private current: number;
  readonly options: AimdOptions;

  constructor(options: Partial<AimdOptions> = {}) {
    this.options = { ...AIMD_DEFAULTS, ...options };
    if (!(this.options.backoffRatio >= 0.5 && this.options.backoffRatio < 1)) {
      throw new RangeError('backoffRatio must be in [0.5, 1)');
    }
    this.current = this.options.initial;
  }

  get limit(): number {
    return this.current;
  }

  /** `backoffRatio` overrides the configured ratio for this drop (the proxy halves on a 429). */
  onSample(sample: LimitSample, backoffRatio = this.options.backoffRatio): number {
    let next = this.current;
    if (sample.didDrop || sample.rttMs > this.options.timeoutMs) next = Math.floor(next * backoffRatio);
    else if (sample.inflight * 2 >= next) next = next + 1;
    this.current = Math.min(this.options.max, Math.max(this.options.min, next));
    return this.current;
  }

  set(limit: number): void {
    this.current = Math.min(this.options.max, Math.max(this.options.min, limit));
  }
}

export interface Gradient2Options {
  initial: number;
  min: number;
  max: number;
  smoothing: number;
  queueSize: number;
  longWindow: number;
  rttTolerance: number;
}

export const GRADIENT2_DEFAULTS: Gradient2Options = {
  initial: 20,
  min: 20,
  max: 200,
  smoothing: 0.2,
  queueSize: 4,
  longWindow: 600,
  rttTolerance: 1.5,
};

const WARMUP_SAMPLES = 10;

/** Gradient2Limit: shrinks when recent latency rises above the long-run latency. Limits are fractional. */
export class Gradient2Limit {
  private current: number;
  private longRtt = 0;
  private samples = 0;
  readonly options: Gradient2Options;

  constructor(options: Partial<Gradient2Options> = {}) {
    this.options = { ...GRADIENT2_DEFAULTS, ...options };
    this.current = this.options.initial;
  }

  get limit(): number {
    return this.current;
  }

  get longRttMs(): number {
    return this.longRtt;
  }

  /** `shortRttMs` is the recent (windowed) latency; Netflix feeds the window's minimum or average. */
  onSample(shortRttMs: number, inflight: number): number {
    this.updateLongRtt(shortRttMs);
    // After a load spike the long average lags: decay it so the limit can recover.
    if (this.longRtt / shortRttMs > 2) this.longRtt *= 0.95;
    if (inflight < this.current / 2) return this.current; // app-limited: no evidence to grow on
    const { rttTolerance, queueSize, smoothing, min, max } = this.options;
    const gradient = Math.min(1, Math.max(0.5, (rttTolerance * this.longRtt) / shortRttMs));
    let next = this.current * gradient + queueSize;
    next = this.current * (1 - smoothing) + next * smoothing;
    this.current = Math.min(max, Math.max(min, next));
    return this.current;
  }

  private updateLongRtt(rtt: number): void {
    this.samples++;
    if (this.samples <= WARMUP_SAMPLES) {
      this.longRtt += (rtt - this.longRtt) / this.samples; // plain average while warming up
      return;
    }
    const factor = 2 / (this.options.longWindow + 1);
    this.longRtt = this.longRtt * (1 - factor) + rtt * factor;
  }

  set(limit: number): void {
    this.current = Math.min(this.options.max, Math.max(this.options.min, limit));
  }
}

export interface AdaptiveLimitOptions {
  initial: number;
  min: number;
  max: number;
  /** Backoff on a 429 (the provider said so explicitly). */
  rateLimitBackoff: number;
  /** Backoff on a timeout (maybe overload, maybe one slow request). */
  timeoutBackoff: number;
}

export const ADAPTIVE_DEFAULTS: AdaptiveLimitOptions = { initial: 20, min: 1, max: 200, rateLimitBackoff: 0.5, timeoutBackoff: 0.9 };

export type SampleOutcome = 'success' | 'rate_limited' | 'timeout' | 'error';

/**
 * The proxy's limit per upstream and model. Drops go through AIMD (halve on 429, ×0.9 on a timeout);
 * successes may grow the limit by AIMD's +1 only as far as the latency gradient allows, so a rising
 * latency stops growth and pulls the limit down before the provider starts refusing. Upstream
 * errors other than 429 carry no signal about capacity and leave the limit alone.
 */
export class AdaptiveLimit {
  private readonly aimd: AimdLimit;
  private readonly gradient: Gradient2Limit;
  readonly options: AdaptiveLimitOptions;

  constructor(options: Partial<AdaptiveLimitOptions> = {}) {
    this.options = { ...ADAPTIVE_DEFAULTS, ...options };
    const { initial, min, max } = this.options;
    // The AIMD timeout rule is the proxy's own business (it knows timeouts by their error), so disable it here.
    this.aimd = new AimdLimit({ initial, min, max, backoffRatio: this.options.timeoutBackoff, timeoutMs: Infinity });
    this.gradient = new Gradient2Limit({ initial, min, max });
  }

  /** The whole number of requests allowed in flight. */
  get limit(): number {
    return Math.max(this.options.min, Math.floor(this.aimd.limit));
  }

  onSample(outcome: SampleOutcome, rttMs: number, inflight: number): number {
    if (outcome === 'rate_limited' || outcome === 'timeout') {
      const ratio = outcome === 'rate_limited' ? this.options.rateLimitBackoff : this.options.timeoutBackoff;
      const next = this.aimd.onSample({ rttMs, inflight, didDrop: true }, ratio);
      this.gradient.set(next);
      return this.limit;
    }
    if (outcome === 'error' || !(rttMs > 0)) return this.limit;
    const byGradient = this.gradient.onSample(rttMs, inflight);
    const byAimd = this.aimd.onSample({ rttMs, inflight, didDrop: false });
    const next = Math.min(byAimd, Math.max(this.options.min, Math.floor(byGradient)));
    this.aimd.set(next);
    this.gradient.set(Math.min(byGradient, byAimd));
    return this.limit;
  }
}
