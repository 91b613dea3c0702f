// What the first points of a series say about how to model it: the scale (raw or log) and the
// time grid (a regular step, or none). Pure functions, used once or twice per series by the
// stream scorer.

export interface Transform { useLog: boolean; logOffset: number }

/** Log scale when a positive series' bulk is clearly more symmetric there (latency, counts). */
export function chooseTransform(values: readonly number[]): Transform {
  const raw: Transform = { useLog: false, logOffset: 0 };
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const m = sorted.length;
  if (m < 8) return raw;
  const q = (f: number) => sorted[Math.floor(f * (m - 1))];
  const min = sorted[0];
  const q05 = q(0.05);
  const q50 = q(0.5);
  const q95 = q(0.95);
  if (!(min >= 0 && q50 > 0 && q95 > q50 && q50 > q05)) return raw;
  // Zeros are common in counts: a larger offset keeps them from looking like deep dips.
  const offset = Math.max((q05 > 0 ? 0.02 : 0.25) * q50, 1e-9);
  const rawSkew = Math.abs(Math.log((q95 - q50) / (q50 - q05)));
  const l05 = Math.log(q05 + offset);
  const l50 = Math.log(q50 + offset);
  const l95 = Math.log(q95 + offset);
  const logSkew = Math.abs(Math.log((l95 - l50) / (l50 - l05)));
  return rawSkew > 0.3 && logSkew < rawSkew ? { useLog: true, logOffset: offset } : raw;
}

/** A grid of the median step when at least three in four gaps are within 10% of a multiple of it. */
export function chooseGrid(timestamps: readonly number[]): { regular: boolean; stepMs: number } {
  const gaps: number[] = [];
  for (let k = 1; k < timestamps.length; k += 1) {
    const g = timestamps[k] - timestamps[k - 1];
    if (g > 0) gaps.push(g);
  }
  if (gaps.length < 8) return { regular: false, stepMs: NaN };
  gaps.sort((a, b) => a - b);
  const step = gaps[gaps.length >> 1];
  const onGrid = gaps.filter((g) => { const r = g / step; return Math.abs(r - Math.round(r)) <= 0.1; }).length;
  return { regular: onGrid >= 0.75 * gaps.length, stepMs: step };
}
