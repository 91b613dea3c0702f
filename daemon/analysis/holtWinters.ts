// Forecasting for load planning: additive Holt-Winters, Prometheus-style double exponential
// smoothing, and the seasonal-naive baseline any model must beat (REFERENCES A.5).

export interface HoltWintersParams { alpha: number; beta: number; gamma: number }

export interface HoltWintersState {
  level: number;
  trend: number;
  /** Seasonal components by phase: season[t mod m] applies to time t. */
  season: number[];
  /** Number of observations consumed (the next time index). */
  t: number;
}

export interface HoltWintersFit {
  params: HoltWintersParams;
  state: HoltWintersState;
  /** Sum of squared one-step-ahead errors. */
  sse: number;
  /** One-step-ahead fitted values, aligned with the input. */
  fitted: number[];
}

/** Default initial state from the first two seasons; the level is placed at t = −1. */
export function initialHoltWintersState(y: readonly number[], m: number): HoltWintersState {
  if (m < 1 || y.length < 2 * m) throw new Error(`Holt-Winters needs two full seasons (${2 * m} points), got ${y.length}`);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < m; i += 1) { s1 += y[i]; s2 += y[m + i]; }
  const mean1 = s1 / m;
  const trend = (s2 / m - mean1) / m;
  const season = Array.from({ length: m }, (_, i) => y[i] - (mean1 + trend * (i - (m - 1) / 2)));
  // Mean of season 1 sits at its centre (m−1)/2; step back to t = −1.
  return { level: mean1 - trend * ((m - 1) / 2 + 1), trend, season, t: 0 };
}

/** Runs the additive recursion from a state; NaN observations are replaced by the forecast (gap-safe). */
export function runHoltWinters(y: readonly number[], p: HoltWintersParams, init: HoltWintersState): HoltWintersFit {
  const m = init.season.length;
  const season = [...init.season];
  let level = init.level;
  let trend = init.trend;
  let sse = 0;
  const fitted: number[] = [];
  let t = init.t;
  for (const raw of y) {
    const phase = t % m;
    const yhat = level + trend + season[phase];
    fitted.push(yhat);
    const obs = Number.isFinite(raw) ? raw : yhat;
    sse += (obs - yhat) * (obs - yhat);
    const prevLevel = level;
    level = p.alpha * (obs - season[phase]) + (1 - p.alpha) * (level + trend);
    trend = p.beta * (level - prevLevel) + (1 - p.beta) * trend;
    season[phase] = p.gamma * (obs - level) + (1 - p.gamma) * season[phase];
    t += 1;
  }
  return { params: p, state: { level, trend, season, t }, sse, fitted };
}

/** ŷ_{t+h} = ℓ_t + h·b_t + s_{phase(t+h)} for h = 1..horizon. */
export function forecastHoltWinters(s: HoltWintersState, horizon: number): number[] {
  const m = s.season.length;
  const out: number[] = [];
  for (let h = 1; h <= horizon; h += 1) out.push(s.level + h * s.trend + s.season[(s.t + h - 1) % m]);
  return out;
}

export const DEFAULT_GRID = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];

/** Fits α, β, γ by grid search on one-step SSE (after the first season, whose errors reflect initialisation). */
export function fitHoltWinters(y: readonly number[], m: number, grid: readonly number[] = DEFAULT_GRID): HoltWintersFit {
  const init = initialHoltWintersState(y, m);
  let best: HoltWintersFit | undefined;
  for (const alpha of grid) for (const beta of grid) for (const gamma of grid) {
    const fit = runHoltWinters(y, { alpha, beta, gamma }, init);
    let sse = 0;
    for (let i = m; i < y.length; i += 1) if (Number.isFinite(y[i])) sse += (y[i] - fit.fitted[i]) ** 2;
    if (!best || sse < best.sse) best = { ...fit, sse };
  }
  return best as HoltWintersFit;
}

export interface DoubleSmoothing { level: number; trend: number }

/** Prometheus double_exponential_smoothing: s₀ = y₀, b₀ = y₁ − y₀; returns the final smoothed level. */
export function doubleExponentialSmoothing(y: readonly number[], sf: number, tf: number): DoubleSmoothing {
  const v = y.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { level: NaN, trend: NaN };
  if (v.length === 1) return { level: v[0], trend: 0 };
  let level = v[0];
  let trend = v[1] - v[0];
  for (let i = 1; i < v.length; i += 1) {
    const prev = level;
    level = sf * v[i] + (1 - sf) * (level + trend);
    trend = tf * (level - prev) + (1 - tf) * trend;
  }
  return { level, trend };
}

/** Seasonal naive: ŷ_{T+h} = y_{T+h−m·k}, repeating the last full season. */
export function seasonalNaive(y: readonly number[], m: number, horizon: number): number[] {
  const n = y.length;
  if (n === 0) return Array(horizon).fill(NaN);
  const period = Math.max(1, Math.min(m, n));
  const out: number[] = [];
  for (let h = 1; h <= horizon; h += 1) {
    const k = Math.ceil(h / period);
    out.push(y[n + h - 1 - period * k]);
  }
  return out;
}
