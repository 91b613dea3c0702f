// EWMA and tabular CUSUM control charts (NIST e-Handbook 6.3.2.4; Page/Montgomery).
// Both are pure batch functions plus small incremental steppers used by streaming detectors.

export interface EwmaOptions {
  lambda: number;
  /** Target mean μ₀ and the starting value z₀. */
  target: number;
  sigma: number;
  /** Width of the limits in σ units. */
  L: number;
  /** Use the exact time-varying limits (default) or the asymptotic ones. */
  exactLimits?: boolean;
}

export interface EwmaPoint {
  z: number;
  ucl: number;
  lcl: number;
  alarm: boolean;
}

/** EWMA chart: z_t = λx_t + (1−λ)z_{t−1}; limits μ₀ ± Lσ√(λ/(2−λ)·[1−(1−λ)^{2t}]). NaN inputs carry z forward. */
export function ewmaChart(xs: readonly number[], o: EwmaOptions): EwmaPoint[] {
  const { lambda, target, sigma, L } = o;
  const exact = o.exactLimits ?? true;
  const asym = lambda / (2 - lambda);
  const out: EwmaPoint[] = [];
  let z = target;
  let t = 0;
  for (const x of xs) {
    if (Number.isFinite(x)) {
      t += 1;
      z = lambda * x + (1 - lambda) * z;
    }
    const factor = exact ? asym * (1 - Math.pow(1 - lambda, 2 * t)) : asym;
    const w = L * sigma * Math.sqrt(factor);
    out.push({ z, ucl: target + w, lcl: target - w, alarm: t > 0 && (z > target + w || z < target - w) });
  }
  return out;
}

export interface CusumOptions {
  /** Allowance k in σ units (0.5 detects a 1σ shift). */
  k: number;
  /** Decision interval h in σ units. */
  h: number;
}

export interface CusumPoint {
  upper: number;
  lower: number;
  alarm: boolean;
}

/** One CUSUM step on a standardised value; NaN leaves the sums unchanged. */
export function cusumStep(prevUpper: number, prevLower: number, z: number, k: number): [number, number] {
  if (!Number.isFinite(z)) return [prevUpper, prevLower];
  return [Math.max(0, prevUpper + z - k), Math.max(0, prevLower - z - k)];
}

/** Tabular CUSUM on standardised values z: C⁺ = max(0, C⁺ + z − k), C⁻ = max(0, C⁻ − z − k). */
export function tabularCusum(zs: readonly number[], o: CusumOptions): CusumPoint[] {
  let up = 0;
  let lo = 0;
  const out: CusumPoint[] = [];
  for (const z of zs) {
    [up, lo] = cusumStep(up, lo, z, o.k);
    out.push({ upper: up, lower: lo, alarm: up > o.h || lo > o.h });
  }
  return out;
}

/** Index of the first alarm, or -1. */
export function firstAlarm(points: readonly { alarm: boolean }[]): number {
  return points.findIndex((p) => p.alarm);
}
