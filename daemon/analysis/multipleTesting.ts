// Benjamini–Hochberg false discovery rate control: with many series × metrics evaluated each
// tick, per-test thresholds would turn into an alarm storm; BH keeps the expected share of false
// discoveries at q.

export interface BhResult {
  /** BH-adjusted p-values (monotone, capped at 1), aligned with the input. */
  adjusted: number[];
  /** Whether each hypothesis is rejected at level q. NaN p-values are never rejected. */
  rejected: boolean[];
}

export function benjaminiHochberg(pValues: readonly number[], q = 0.05): BhResult {
  const idx = pValues.map((p, i) => [p, i] as [number, number]).filter(([p]) => Number.isFinite(p));
  idx.sort((a, b) => a[0] - b[0]);
  const m = idx.length;
  const adjusted = pValues.map(() => NaN);
  const rejected = pValues.map(() => false);
  let running = 1;
  for (let r = m - 1; r >= 0; r -= 1) {
    const [p, i] = idx[r];
    running = Math.min(running, (p * m) / (r + 1));
    adjusted[i] = Math.min(1, running);
  }
  for (const [, i] of idx) rejected[i] = adjusted[i] <= q;
  return { adjusted, rejected };
}
