// In-place selection (Hoare's quickselect with median-of-three): the k-th smallest of buf[0..m)
// in O(m) expected time, so rolling quantiles never need a full sort.

export function selectKth(buf: Float64Array, m: number, k: number): number {
  let lo = 0;
  let hi = m - 1;
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
