// Fixed-horizon frequentist tests: GrowthBook's two-sided Welch t-test on a (relative or
// absolute) effect, Welch's test on raw arrays, and Mann–Whitney U as a robustness check
// for heavy-tailed metrics such as latency.

import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import type { ArmSummary } from './sufficientStats';
import { summarizeValues } from './sufficientStats';
import type { EffectEstimate, EffectScale } from './effectEstimate';
import { independentEffect } from './effectEstimate';

export interface TestResult {
  readonly valid: boolean;
  readonly reason?: string;
  readonly estimate: number;
  readonly standardError: number;
  readonly ci: readonly [number, number];
  readonly pValue: number;
  readonly dof: number;
}

export interface TTestOptions {
  readonly scale?: EffectScale;
  readonly alpha?: number;
  /** Null-hypothesis value of the effect (0 for a plain difference test). */
  readonly testValue?: number;
}

/** Result GrowthBook returns when inference is impossible: p = 1, CI (0, 0). */
export function degenerateResult(reason: string | undefined): TestResult {
  return { valid: false, reason, estimate: 0, standardError: 0, ci: [0, 0], pValue: 1, dof: 0 };
}

/** Two-sided p-value of a t statistic, computed from the lower tail to keep precision. */
export function twoSidedTPValue(t: number, dof: number): number {
  return Math.min(1, 2 * tCdf(-Math.abs(t), dof));
}

/** Two-sided t-test and confidence interval on an already estimated effect. */
export function tTestOnEffect(effect: EffectEstimate, alpha = 0.05, testValue = 0): TestResult {
  if (!effect.valid) return degenerateResult(effect.reason);
  const se = Math.sqrt(effect.variance);
  const t = (effect.estimate - testValue) / se;
  const critical = tQuantile(1 - alpha / 2, effect.dof);
  return {
    valid: true,
    estimate: effect.estimate,
    standardError: se,
    ci: [effect.estimate - critical * se, effect.estimate + critical * se],
    pValue: twoSidedTPValue(t, effect.dof),
    dof: effect.dof,
  };
}

/** GrowthBook's two-sided Welch t-test on the effect of treatment over control. */
export function welchTTest(control: ArmSummary, treatment: ArmSummary, options: TTestOptions = {}): TestResult {
  const effect = independentEffect(control, treatment, options.scale ?? 'relative');
  return tTestOnEffect(effect, options.alpha ?? 0.05, options.testValue ?? 0);
}

export interface RawWelchResult {
  /** t for mean(a) − mean(b), as scipy's ttest_ind(a, b, equal_var=False). */
  readonly t: number;
  readonly dof: number;
  readonly pValue: number;
  readonly meanDifference: number;
  readonly ci: readonly [number, number];
}

/** Welch's unequal-variance t-test on two raw samples. */
export function welchTTestArrays(a: readonly number[], b: readonly number[], alpha = 0.05): RawWelchResult {
  const result = welchTTest(summarizeValues(b), summarizeValues(a), { scale: 'absolute', alpha });
  if (!result.valid) return { t: 0, dof: 0, pValue: 1, meanDifference: 0, ci: [0, 0] };
  return {
    t: result.estimate / result.standardError,
    dof: result.dof,
    pValue: result.pValue,
    meanDifference: result.estimate,
    ci: result.ci,
  };
}

export interface MannWhitneyResult {
  /** U statistic of the first sample (scipy's convention). */
  readonly u: number;
  readonly z: number;
  readonly pValue: number;
}

/**
 * Two-sided Mann–Whitney U with the normal approximation, tie correction and continuity
 * correction (scipy's asymptotic method). Midranks handle ties.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitneyResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, pValue: 1 };
  const pooled = [...a.map((v) => ({ v, first: true })), ...b.map((v) => ({ v, first: false }))].sort(
    (x, y) => x.v - y.v,
  );
  const n = n1 + n2;
  let rankSumFirst = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && pooled[j + 1].v === pooled[i].v) j++;
    const midrank = (i + j + 2) / 2;
    const tied = j - i + 1;
    tieTerm += tied ** 3 - tied;
    for (let k = i; k <= j; k++) if (pooled[k].first) rankSumFirst += midrank;
    i = j + 1;
  }
  const u = rankSumFirst - (n1 * (n1 + 1)) / 2;
  const mu = (n1 * n2) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (!(sigma > 0)) return { u, z: 0, pValue: 1 };
  const uMax = Math.max(u, n1 * n2 - u);
  const z = (uMax - mu - 0.5) / sigma;
  const pValue = Math.min(1, 2 * normalCdf(-z, 0, 1));
  return { u, z: u >= mu ? z : -z, pValue };
}
