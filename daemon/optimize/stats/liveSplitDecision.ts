// Decision for a live traffic split through the proxy: independent arms, so the sample-ratio
// check comes first (a broken assignment invalidates everything after it), then Welch-type
// relative effects with GrowthBook's confidence sequence over n_a + n_b units.

import { independentEffect } from './effectEstimate';
import type { DecisionSettings, ExperimentDecision, ExperimentObservation, RawMetricEffect } from './experimentDecision';
import { DEFAULT_DECISION_SETTINGS, METRIC_NAMES, decide, metricEffects, metricValue } from './experimentDecision';
import { nonInferiorityIndependent } from './nonInferiority';
import { confidenceSequenceHalfWidth, sequentialRho } from './sequential';
import { srmCheck } from './srm';
import type { ArmSummary } from './sufficientStats';
import { proportion, summarize, summarizeValues } from './sufficientStats';

export interface LiveSplitInput {
  readonly control: readonly ExperimentObservation[];
  readonly treatment: readonly ExperimentObservation[];
  /** Assigned traffic shares [control, treatment]; equal when absent. */
  readonly weights?: readonly [number, number];
}

/** Share of pooled units below the cap of a capped metric (GrowthBook-style percentile capping). */
export const COST_CAP_QUANTILE = 0.9;

/**
 * The cap of the cost metric: the pooled 90th percentile. Per-call cost is heavy-tailed (a few
 * runaway generations cost a hundred times a normal call); uncapped, 5% of such units make the
 * variance so large that a steady 30% saving on every other call stays invisible for thousands of
 * units. Both arms are capped at the same pooled value, so the test of the capped mean stays fair;
 * a change that makes runaways more frequent still shows, as more units at the cap.
 */
export function costCap(control: readonly ExperimentObservation[], treatment: readonly ExperimentObservation[]): number {
  const pooled = [...control, ...treatment].map((o) => o.cost).sort((a, b) => a - b);
  if (pooled.length === 0) return Infinity;
  return pooled[Math.min(pooled.length - 1, Math.floor(COST_CAP_QUANTILE * pooled.length))];
}

function armSummary(observations: readonly ExperimentObservation[], metric: (typeof METRIC_NAMES)[number], cap = Infinity): ArmSummary {
  if (metric === 'success') return summarize(proportion(observations.length, observations.filter((o) => o.success).length));
  // Quality may be missing for some units (calls without posted feedback): those carry NaN and are left out.
  const values = observations.map((o) => metricValue(o, metric));
  if (metric === 'cost') return summarizeValues(values.map((v) => Math.min(v, cap)));
  return summarizeValues(metric === 'quality' ? values.filter((v) => Number.isFinite(v)) : values);
}

/** Decides a live split from all units observed so far; minSamples counts units per arm. */
export function decideLiveSplit(input: LiveSplitInput, overrides: Partial<DecisionSettings> = {}): ExperimentDecision {
  const settings: DecisionSettings = { ...DEFAULT_DECISION_SETTINGS, ...overrides };
  const tuningN = settings.tuningN ?? 2 * settings.maxSamples;
  const srm = srmCheck([input.control.length, input.treatment.length], input.weights ?? [1, 1]);
  const cap = costCap(input.control, input.treatment);
  const raw: RawMetricEffect[] = METRIC_NAMES.map((metric) => {
    const control = armSummary(input.control, metric, cap);
    const treatment = armSummary(input.treatment, metric, cap);
    return { metric, effect: independentEffect(control, treatment, 'relative'), controlMean: control.mean, treatmentMean: treatment.mean };
  });
  const quality = nonInferiorityIndependent(
    armSummary(input.control, 'quality'),
    armSummary(input.treatment, 'quality'),
    settings.qualityMargin,
    { alpha: settings.alpha, sequential: true, tuningN },
  );
  const samples = Math.min(input.control.length, input.treatment.length);
  const decision = decide(samples, metricEffects(raw, settings, tuningN), quality, settings, srm);
  if (decision.decision !== 'continue' || samples < settings.minSamples || !quality.valid) return decision;
  const c = armSummary(input.control, 'quality');
  const t = armSummary(input.treatment, 'quality');
  const reach = qualityReachAtMaximum(c.variance / c.n + t.variance / t.n, c.n + t.n, 2 * settings.maxSamples, settings.alpha, tuningN);
  if (quality.upperBound < -settings.qualityMargin + reach) {
    return {
      ...decision,
      decision: 'reject',
      confidence: Math.max(0, Math.min(1, 1 - decision.confidence)),
      reasons: [
        `stopped early for futility: quality difference at most ${quality.upperBound.toFixed(4)} (anytime-valid upper bound), so even at the maximum of ${settings.maxSamples} units per arm, where the lower bound lies about ${reach.toFixed(4)} below the estimate, non-inferiority against −${settings.qualityMargin.toFixed(4)} cannot be shown`,
        ...decision.reasons,
      ],
    };
  }
  return decision;
}

/**
 * Half-width of the one-sided quality confidence sequence at the design's maximum, projected from the
 * variance of the difference now (it shrinks as 1/n). Used for futility: if even the most favourable
 * value the data allow (the upper bound) minus this half-width is below −margin, the bounded
 * experiment can no longer show non-inferiority, and stopping now only spares exposure.
 */
export function qualityReachAtMaximum(varianceNow: number, unitsNow: number, unitsMax: number, alpha: number, tuningN: number): number {
  const variance = (varianceNow * unitsNow) / Math.max(unitsNow, unitsMax);
  return confidenceSequenceHalfWidth(variance, Math.max(unitsNow, unitsMax), sequentialRho(2 * alpha, tuningN), 2 * alpha);
}
