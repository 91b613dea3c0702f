// Finds a dominant season length from autocorrelation, used by the stream scorer to compare a
// point with the same phase of earlier seasons (daily cycles in CPU, traffic, request counts).

const MAX_LAG = 700;
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
  const acf = new Float64Array(maxLag + 2);
  for (let lag = 1; lag <= maxLag + 1 && lag < n; lag += 1) {
    let s = 0;
    for (let i = 0; i + lag < n; i += 1) s += d[i] * d[i + lag];
    acf[lag] = s / ss;
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
      const hit = candidates.find(([l]) => Math.abs(l - lag) <= Math.max(1, lag * 0.02));
      if (hit) return hit[0];
    }
  }
  if (candidates.length === 0) return 0;
  const best = Math.max(...candidates.map(([, r]) => r));
  // Multiples of the season correlate almost as well; keep the shortest convincing one.
  const chosen = candidates.find(([, r]) => r >= 0.9 * best);
  return chosen ? chosen[0] : 0;
}
