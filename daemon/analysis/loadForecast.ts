// Load planning: request rate per time bucket → forecast for the next hour (Holt-Winters when two
// seasons of history exist, seasonal naive with one, flat smoothing below) → a concurrency
// recommendation by Little's law: in-flight requests = arrival rate × time in system.
import { doubleExponentialSmoothing, fitHoltWinters, forecastHoltWinters, seasonalNaive } from './holtWinters';

export interface LoadForecastInput {
  /** Requests per bucket, oldest first (NaN for missing buckets). */
  counts: readonly number[];
  bucketSeconds: number;
  /** Season length in buckets (default: one day). */
  seasonBuckets?: number;
  /** Forecast horizon in seconds (default one hour). */
  horizonSeconds?: number;
  /** p95 latency of a call in milliseconds. */
  p95LatencyMs: number;
  /** Safety factor on top of Little's law (default 1.5). */
  headroom?: number;
}

export interface LoadForecast {
  method: 'holt-winters' | 'seasonal-naive' | 'smoothing' | 'none';
  /** Forecast requests per bucket for the horizon. */
  forecast: number[];
  peakRatePerSecond: number;
  recommendedConcurrency: number;
  explanation: string;
}

const HW_GRID = [0.05, 0.2, 0.5, 0.8];

/** Little's law with headroom: ⌈rate × p95 latency × headroom⌉, at least 1. */
export function littlesLawConcurrency(ratePerSecond: number, p95LatencyMs: number, headroom = 1.5): number {
  if (!(ratePerSecond > 0) || !(p95LatencyMs > 0)) return 1;
  return Math.max(1, Math.ceil(ratePerSecond * (p95LatencyMs / 1000) * headroom));
}

/** Missing buckets become the last seen value (or 0 at the start): forecasting needs a regular grid. */
function fillGaps(xs: readonly number[]): number[] {
  let last = 0;
  return xs.map((x) => (Number.isFinite(x) && x >= 0 ? (last = x) : last));
}

export function forecastLoad(input: LoadForecastInput): LoadForecast {
  const bucket = input.bucketSeconds;
  const m = input.seasonBuckets ?? Math.round(86_400 / bucket);
  const horizon = Math.max(1, Math.round((input.horizonSeconds ?? 3600) / bucket));
  const y = fillGaps(input.counts);
  let method: LoadForecast['method'];
  let forecast: number[];
  if (y.length === 0) {
    method = 'none';
    forecast = Array(horizon).fill(0);
  } else if (m >= 2 && y.length >= 2 * m) {
    method = 'holt-winters';
    forecast = forecastHoltWinters(fitHoltWinters(y, m, HW_GRID).state, horizon);
  } else if (m >= 2 && y.length >= m) {
    method = 'seasonal-naive';
    forecast = seasonalNaive(y, m, horizon);
  } else {
    method = 'smoothing';
    // Level only: a trend fitted on a short history extrapolates wildly over an hour.
    forecast = Array(horizon).fill(doubleExponentialSmoothing(y, 0.3, 0.1).level);
  }
  forecast = forecast.map((f) => (Number.isFinite(f) ? Math.max(0, f) : 0));
  const peakPerBucket = forecast.length > 0 ? Math.max(...forecast) : 0;
  const peakRatePerSecond = peakPerBucket / bucket;
  const headroom = input.headroom ?? 1.5;
  const recommendedConcurrency = littlesLawConcurrency(peakRatePerSecond, input.p95LatencyMs, headroom);
  const explanation = `peak forecast ${peakRatePerSecond.toFixed(2)} req/s over the next ${Math.round(horizon * bucket / 60)} min `
    + `(${method}) × p95 ${(input.p95LatencyMs / 1000).toFixed(1)} s × headroom ${headroom} → ${recommendedConcurrency} concurrent requests`;
  return { method, forecast, peakRatePerSecond, recommendedConcurrency, explanation };
}
