// Finds a dominant season length from autocorrelation, used by the stream scorer to compare a
// point with the same phase of earlier seasons (daily cycles in CPU, traffic, request counts).

// Up to a day at one-minute steps (1,440) and a week at five-minute steps (2,016).
const MAX_LAG = 2100;
const MIN_LAG = 4;

/**
 * Returns the season length in points, or 0 when none is convincing. `stepMs` (the typical gap
 * between timestamps) adds hour/day/week candidates so calendar periods win ties.
 */
export function detectPeriod(series: Float64Array, stepMs = NaN): number {
  const n = series.length;
  const maxLag = Math.min(MAX_LAG, Math.floor(n / 2.5));
  if (maxLag < MIN_LAG + 2) return 0;
  // Remove a linear trend so drift does not masquerade as long-lag correlation.
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i += 1) { sx += i; sy += series[i]; }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i += 1) { sxy += (i - mx) * (series[i] - my); sxx += (i - mx) * (i - mx); }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const d = new Float64Array(n);
  let ss = 0;
  for (let i = 0; i < n; i += 1) { d[i] = series[i] - my - slope * (i - mx); ss += d[i] * d[i]; }
  if (!(ss > 0)) return 0;
  // Unbiased normalisation (divide by the pair count): the usual 1/n form tilts peaks toward
  // shorter lags, by several points for a daily season in a few days of data.
  const raw = new Float64Array(maxLag + 2);
  for (let lag = 1; lag <= maxLag + 1 && lag < n; lag += 1) {
    let s = 0;
    for (let i = 0; i + lag < n; i += 1) s += d[i] * d[i + lag];
    raw[lag] = (s / (n - lag)) / (ss / n);
  }
  // Smooth over ±1% of the lag so noise does not pick a neighbour of the true peak.
  const acf = new Float64Array(maxLag + 2);
  for (let lag = 1; lag <= maxLag + 1; lag += 1) {
    const h = Math.floor(lag * 0.01);
    let s = 0;
    let c = 0;
    for (let k = Math.max(1, lag - h); k <= Math.min(maxLag + 1, lag + h); k += 1) { s += raw[k]; c += 1; }
    acf[lag] = s / c;
  }
  const candidates: Array<[number, number]> = [];
  for (let lag = MIN_LAG; lag <= maxLag; lag += 1) {
    const r = acf[lag];
    if (r < 0.35 || r < acf[lag - 1] || r < acf[lag + 1]) continue;
    // A real season has a trough between zero lag and the peak; slow decay does not.
    let trough = Infinity;
    for (let k = Math.floor(lag / 4); k <= Math.ceil((3 * lag) / 4); k += 1) if (acf[k] < trough) trough = acf[k];
    if (r - trough < 0.3) continue;
    candidates.push([lag, r]);
  }
  if (Number.isFinite(stepMs) && stepMs > 0) {
    for (const periodMs of [3_600_000, 86_400_000, 604_800_000]) {
      const lag = Math.round(periodMs / stepMs);
      // A peak near a calendar period is that period: snap to it, the ACF peak is noisy.
      const hit = candidates.find(([l]) => Math.abs(l - lag) <= Math.max(1, lag * 0.03));
      if (hit) return lag;
    }
  }
  if (candidates.length === 0) return 0;
  // Group local maxima into peaks (noise splits one peak into several) and keep each peak's top.
  const peaks: Array<[number, number]> = [];
  for (const [lag, r] of candidates) {
    const lastPeak = peaks[peaks.length - 1];
    if (lastPeak && lag - lastPeak[0] <= Math.max(2, 0.1 * lastPeak[0])) {
      if (r > lastPeak[1]) { lastPeak[0] = lag; lastPeak[1] = r; }
    } else peaks.push([lag, r]);
  }
  const best = Math.max(...peaks.map(([, r]) => r));
  // Multiples of the season correlate almost as well; keep the shortest convincing one.
  const chosen = peaks.find(([, r]) => r >= 0.9 * best);
  return chosen ? refineLag(d, chosen[0]) : 0;
}

/**
 * ACF peaks are flat on top; the lag that best predicts a point from the one a season earlier
 * (least mean absolute difference) is the sharper estimate of the season length.
 */
function refineLag(d: Float64Array, lag: number): number {
  const n = d.length;
  const h = Math.max(1, Math.round(lag * 0.03));
  let bestLag = lag;
  let bestCost = Infinity;
  for (let l = Math.max(MIN_LAG, lag - h); l <= lag + h && l < n - 8; l += 1) {
    let s = 0;
    for (let i = l; i < n; i += 1) s += Math.abs(d[i] - d[i - l]);
    const cost = s / (n - l);
    if (cost < bestCost) { bestCost = cost; bestLag = l; }
  }
  return bestLag;
}
