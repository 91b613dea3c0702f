// In-place selection (Hoare's quickselect with median-of-three): the k-th smallest of buf[lo..hi]
// in O(n) expected time, so rolling quantiles never need a full sort. After a call, everything
// left of k is ≤ buf[k] and everything right is ≥, so later selections can narrow the range.

export function selectKthRange(buf: Float64Array, lo: number, hi: number, k: number): number {
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median of three as the pivot, which avoids the quadratic case on sorted and constant input.
    let a = buf[lo];
    let b = buf[mid];
    const c = buf[hi];
    if (a > b) { const t = a; a = b; b = t; }
    const pivot = c < a ? a : c > b ? b : c;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (buf[i] < pivot) i += 1;
      while (buf[j] > pivot) j -= 1;
      if (i <= j) {
        const t = buf[i]; buf[i] = buf[j]; buf[j] = t;
        i += 1;
        j -= 1;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return buf[k];
  }
  return buf[k];
}

/** k-th smallest (0-based) of buf[0..m). */
export function selectKth(buf: Float64Array, m: number, k: number): number {
  return selectKthRange(buf, 0, m - 1, k);
}
