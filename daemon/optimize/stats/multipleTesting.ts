// Corrections across metrics, so that guarding several metrics at once does not multiply false
// alarms. Both return adjusted p-values in the input order.

/** Benjamini–Hochberg step-up adjusted p-values (controls the false discovery rate). */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => b.p - a.p);
  const adjusted = new Array<number>(m);
  let runningMin = 1;
  order.forEach(({ p, i }, k) => {
    const rank = m - k;
    runningMin = Math.min(runningMin, (p * m) / rank);
    adjusted[i] = runningMin;
  });
  return adjusted;
}

/** Holm–Bonferroni step-down adjusted p-values (controls the family-wise error rate). */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(m);
  let runningMax = 0;
  order.forEach(({ p, i }, k) => {
    runningMax = Math.max(runningMax, Math.min(1, (m - k) * p));
    adjusted[i] = runningMax;
  });
  return adjusted;
}
