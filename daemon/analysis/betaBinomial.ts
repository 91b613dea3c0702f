// Bayesian comparison of two binomial rates: P(rate_recent > rate_baseline) under independent
// Beta(1 + failures, 1 + successes) posteriors (REFERENCES A.2.2 §5).
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';

/**
 * P(X > Y) for X ~ Beta(a1, b1), Y ~ Beta(a2, b2), as ∫ (1 − F_X(y)) dF_Y(y) on a grid that
 * covers where both posteriors have mass (computed with CDF differences, so no densities needed).
 */
export function probGreater(a1: number, b1: number, a2: number, b2: number, steps = 400): number {
  const mean = (a: number, b: number) => a / (a + b);
  const sd = (a: number, b: number) => Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
  const lo = Math.max(0, Math.min(mean(a1, b1) - 10 * sd(a1, b1), mean(a2, b2) - 10 * sd(a2, b2)));
  const hi = Math.min(1, Math.max(mean(a1, b1) + 10 * sd(a1, b1), mean(a2, b2) + 10 * sd(a2, b2)));
  let p = 0;
  let prevFy = betaCdf(lo, a2, b2);
  let covered = prevFy;
  // Mass of Y below lo: X is almost surely above it.
  p += prevFy * (1 - betaCdf(lo, a1, b1));
  for (let i = 1; i <= steps; i += 1) {
    const y1 = lo + ((hi - lo) * i) / steps;
    const ym = lo + ((hi - lo) * (i - 0.5)) / steps;
    const fy = betaCdf(y1, a2, b2);
    p += (fy - prevFy) * (1 - betaCdf(ym, a1, b1));
    covered += fy - prevFy;
    prevFy = fy;
  }
  // Mass of Y above hi contributes (1 − F_X(hi)) · (1 − F_Y(hi)), essentially 0.
  p += (1 - covered) * (1 - betaCdf(hi, a1, b1));
  return Math.min(1, Math.max(0, p));
}

/** P(recent rate > baseline rate) with uniform priors. */
export function probRateIncreased(recentFailures: number, recentTotal: number, baseFailures: number, baseTotal: number): number {
  return probGreater(1 + recentFailures, 1 + recentTotal - recentFailures, 1 + baseFailures, 1 + baseTotal - baseFailures);
}
