// One-sided Fisher exact test for a 2×2 table, via the hypergeometric upper tail. Log-factorials
// are exact sums for small n and Stirling's series beyond (error < 1e-12 there).

const SMALL = 256;
const LOG_FACT = (() => {
  const t = new Float64Array(SMALL + 1);
  for (let i = 2; i <= SMALL; i += 1) t[i] = t[i - 1] + Math.log(i);
  return t;
})();

export function logFactorial(n: number): number {
  if (n <= SMALL) return LOG_FACT[n];
  const x = n + 1;
  // ln Γ(x) by Stirling with three correction terms.
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3) + 1 / (1260 * x ** 5);
}

const logChoose = (n: number, k: number) => logFactorial(n) - logFactorial(k) - logFactorial(n - k);

/**
 * P(X ≥ a) where X is the top-left cell of a 2×2 table with margins fixed:
 *   [a b]
 *   [c d]
 * i.e. the one-sided p-value that row 1 has a higher rate of column 1 than row 2.
 */
export function fisherExactGreater(a: number, b: number, c: number, d: number): number {
  const row1 = a + b;
  const col1 = a + c;
  const n = a + b + c + d;
  const hi = Math.min(row1, col1);
  const lo = Math.max(0, row1 + col1 - n);
  if (a <= lo) return 1;
  const logDenom = logChoose(n, row1);
  let p = 0;
  let term = Math.exp(logChoose(col1, a) + logChoose(n - col1, row1 - a) - logDenom);
  for (let k = a; k <= hi; k += 1) {
    p += term;
    // pmf(k+1)/pmf(k) = (col1−k)(row1−k) / ((k+1)(n−col1−row1+k+1))
    term *= ((col1 - k) * (row1 - k)) / ((k + 1) * (n - col1 - row1 + k + 1));
    if (term < p * 1e-17) break;
  }
  return Math.min(1, p);
}
