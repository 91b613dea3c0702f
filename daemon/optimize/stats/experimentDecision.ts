// The decision rules shared by paired replay and live split experiments. Given per-metric
// effects (fixed-horizon and anytime-valid) and the quality non-inferiority verdict, decide
// ship / reject / continue. Shipping needs: the minimum sample, the primary metric improved
// with anytime-valid significance (so peeking after every batch is safe), quality shown
// non-inferior, and no guardrail regression (Benjamini–Hochberg across guardrails).

import type { EffectEstimate } from './effectEstimate';
import { tTestOnEffect } from './frequentist';
import { sequentialTest } from './sequential';
import type { NonInferiorityResult } from './nonInferiority';
import { benjaminiHochberg } from './multipleTesting';
import type { SrmResult } from './srm';

/** One unit of an experiment arm: what one run (or one replayed input) cost and produced. */
export interface ExperimentObservation {
  readonly cost: number;
  readonly latencyMs: number;
  /** Evaluator score, normally in [0, 1]. */
  readonly quality: number;
  readonly success: boolean;
}

export type MetricName = 'cost' | 'latencyMs' | 'quality' | 'success';
export type MetricRole = 'primary' | 'guardrail';

export const LOWER_IS_BETTER: Readonly<Record<MetricName, boolean>> = {
  cost: true,
  latencyMs: true,
  quality: false,
  success: false,
};

export const METRIC_NAMES: readonly MetricName[] = ['cost', 'latencyMs', 'quality', 'success'];

export function metricValue(observation: ExperimentObservation, metric: MetricName): number {
  if (metric === 'success') return observation.success ? 1 : 0;
  return observation[metric];
}

export interface DecisionSettings {
  /** Significance level of the primary metric and of each guardrail family. */
  readonly alpha: number;
  /** Minimum pairs (paired replay) or units per arm (live split) before any decision. */
  readonly minSamples: number;
  /** At this many samples without a verdict, stop and reject as inconclusive. */
  readonly maxSamples: number;
  /** The metric the change is meant to improve. */
  readonly primaryMetric: 'cost' | 'latencyMs' | 'quality';
  /** Largest tolerated drop in mean quality (absolute, on the evaluator's scale). */
  readonly qualityMargin: number;
  /** N* of the confidence sequence; defaults to the expected experiment length. */
  readonly tuningN?: number;
}

export const DEFAULT_DECISION_SETTINGS: DecisionSettings = {
  alpha: 0.05,
  minSamples: 30,
  maxSamples: 300,
  primaryMetric: 'cost',
  qualityMargin: 0.05,
};

export interface MetricEffect {
  readonly metric: MetricName;
  readonly role: MetricRole;
  readonly lowerIsBetter: boolean;
  readonly valid: boolean;
  readonly controlMean: number;
  readonly treatmentMean: number;
  /** Relative effect (treatment − control)/|control|. */
  readonly relativeEffect: number;
  /** Fixed-horizon two-sided CI of the relative effect. */
  readonly ci: readonly [number, number];
  readonly pValue: number;
  /** Anytime-valid CI of the relative effect (confidence sequence). */
  readonly sequentialCi: readonly [number, number];
  readonly sequentialPValue: number;
  /** Sequential p after Benjamini–Hochberg across guardrails (the primary is not adjusted). */
  readonly adjustedPValue: number;
  /** Significantly better in the metric's good direction (anytime-valid). */
  readonly improved: boolean;
  /** Significantly worse in the metric's bad direction (anytime-valid, adjusted). */
  readonly regressed: boolean;
}

export type Verdict = 'ship' | 'reject' | 'continue';

export interface ExperimentDecision {
  readonly decision: Verdict;
  /**
   * Confidence in [0, 1]. For ship and continue: the confidence that the treatment is better on
   * the primary metric and not worse on quality, min(1 − p_primary, 1 − p_non-inferiority).
   * For reject: the confidence in the finding that caused it (1 − its p-value), or for an
   * inconclusive end 1 − the ship confidence.
   */
  readonly confidence: number;
  readonly reasons: string[];
  readonly samples: number;
  readonly metrics: MetricEffect[];
  readonly quality: NonInferiorityResult;
  readonly srm?: SrmResult;
}

export interface RawMetricEffect {
  readonly metric: MetricName;
  readonly effect: EffectEstimate;
  readonly controlMean: number;
  readonly treatmentMean: number;
}

/** Fixed-horizon and anytime-valid inference for each metric, then BH over the guardrails. */
export function metricEffects(raw: readonly RawMetricEffect[], settings: DecisionSettings, tuningN: number): MetricEffect[] {
  const partial = raw.map((r) => {
    const fixed = tTestOnEffect(r.effect, settings.alpha);
    const seq = sequentialTest(r.effect, { alpha: settings.alpha, tuningN });
    return { r, fixed, seq, role: (r.metric === settings.primaryMetric ? 'primary' : 'guardrail') as MetricRole };
  });
  const guardrailIndexes = partial.flatMap((p, i) => (p.role === 'guardrail' ? [i] : []));
  const adjusted = benjaminiHochberg(guardrailIndexes.map((i) => partial[i].seq.pValue));
  return partial.map((p, i) => {
    const lowerIsBetter = LOWER_IS_BETTER[p.r.metric];
    const g = guardrailIndexes.indexOf(i);
    const adjustedPValue = g >= 0 ? adjusted[g] : p.seq.pValue;
    const significant = p.seq.valid && adjustedPValue < settings.alpha;
    const better = lowerIsBetter ? p.seq.estimate < 0 : p.seq.estimate > 0;
    return {
      metric: p.r.metric,
      role: p.role,
      lowerIsBetter,
      valid: p.r.effect.valid,
      controlMean: p.r.controlMean,
      treatmentMean: p.r.treatmentMean,
      relativeEffect: p.r.effect.estimate,
      ci: p.fixed.ci,
      pValue: p.fixed.pValue,
      sequentialCi: p.seq.ci,
      sequentialPValue: p.seq.pValue,
      adjustedPValue,
      improved: significant && better,
      regressed: significant && !better,
    };
  });
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function describe(m: MetricEffect): string {
  return `${m.metric} ${m.relativeEffect >= 0 ? '+' : ''}${percent(m.relativeEffect)} (anytime-valid CI ${percent(m.sequentialCi[0])}..${percent(m.sequentialCi[1])}, p=${m.adjustedPValue.toPrecision(3)})`;
}

/**
 * Confidence that the primary metric moved in its good direction: 1 − p/2 when the estimate
 * points that way, p/2 otherwise (the two-sided anytime-valid p split over the two directions).
 */
export function primaryConfidence(primary: MetricEffect): number {
  if (!primary.valid) return 0.5;
  const better = primary.lowerIsBetter ? primary.relativeEffect < 0 : primary.relativeEffect > 0;
  return better ? 1 - primary.sequentialPValue / 2 : primary.sequentialPValue / 2;
}

/** Applies the ship/reject/continue rules to computed effects. */
export function decide(
  samples: number,
  metrics: MetricEffect[],
  quality: NonInferiorityResult,
  settings: DecisionSettings,
  srm?: SrmResult,
): ExperimentDecision {
  const primary = metrics.find((m) => m.role === 'primary');
  if (!primary) throw new RangeError(`primary metric ${settings.primaryMetric} missing`);
  const shipConfidence = Math.max(0, Math.min(primaryConfidence(primary), 1 - quality.pValue));
  const base = { samples, metrics, quality, srm };
  const reject = (confidence: number, reasons: string[]): ExperimentDecision => ({
    ...base,
    decision: 'reject',
    confidence: Math.max(0, Math.min(1, confidence)),
    reasons,
  });

  if (srm?.mismatch) {
    return reject(1 - srm.pValue, [`sample ratio mismatch (χ²=${srm.chiSquare.toFixed(2)}, p=${srm.pValue.toPrecision(3)}): assignment is broken, results untrusted`]);
  }
  if (samples < settings.minSamples) {
    return { ...base, decision: 'continue', confidence: shipConfidence, reasons: [`${samples} of the minimum ${settings.minSamples} samples`] };
  }
  if (quality.inferior) {
    return reject(1 - quality.inferiorityPValue, [`quality is worse than the margin allows: difference ${quality.difference.toFixed(4)}, upper bound ${quality.upperBound.toFixed(4)} < −${quality.margin}`]);
  }
  if (primary.regressed) {
    return reject(1 - primary.sequentialPValue, [`primary metric regressed: ${describe(primary)}`]);
  }
  const regressions = metrics.filter((m) => m.role === 'guardrail' && m.regressed && m.metric !== 'quality');
  if (regressions.length > 0) {
    const worst = Math.min(...regressions.map((m) => m.adjustedPValue));
    return reject(1 - worst, regressions.map((m) => `guardrail regressed: ${describe(m)}`));
  }
  if (primary.improved && quality.nonInferior) {
    return {
      ...base,
      decision: 'ship',
      confidence: shipConfidence,
      reasons: [
        `primary improved: ${describe(primary)}`,
        `quality non-inferior: difference ${quality.difference.toFixed(4)}, lower bound ${quality.lowerBound.toFixed(4)} > −${quality.margin}`,
        'no guardrail regression',
      ],
    };
  }
  const pending: string[] = [];
  if (!primary.improved) pending.push(`primary not yet significant: ${describe(primary)}`);
  if (!quality.nonInferior) pending.push(`quality non-inferiority not yet shown: lower bound ${quality.lowerBound.toFixed(4)} vs −${quality.margin}`);
  if (samples >= settings.maxSamples) {
    // A bounded design ends here: with quality shown to hold but no significant gain, the change is not worth having.
    const end = quality.nonInferior ? `stopped after ${samples} samples (the maximum): no difference worth having` : `inconclusive after ${samples} samples (the maximum)`;
    return reject(1 - shipConfidence, [end, ...pending]);
  }
  return { ...base, decision: 'continue', confidence: shipConfidence, reasons: pending };
}
