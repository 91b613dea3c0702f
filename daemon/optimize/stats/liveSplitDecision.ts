// Decision for a live traffic split through the proxy: independent arms, so the sample-ratio
// check comes first (a broken assignment invalidates everything after it), then Welch-type
// relative effects with GrowthBook's confidence sequence over n_a + n_b units.

import { independentEffect } from './effectEstimate';
import type { DecisionSettings, ExperimentDecision, ExperimentObservation, RawMetricEffect } from './experimentDecision';
import { DEFAULT_DECISION_SETTINGS, METRIC_NAMES, decide, metricEffects, metricValue } from './experimentDecision';
import { nonInferiorityIndependent } from './nonInferiority';
import { srmCheck } from './srm';
import type { ArmSummary } from './sufficientStats';
import { proportion, summarize, summarizeValues } from './sufficientStats';

export interface LiveSplitInput {
  readonly control: readonly ExperimentObservation[];
  readonly treatment: readonly ExperimentObservation[];
  /** Assigned traffic shares [control, treatment]; equal when absent. */
  readonly weights?: readonly [number, number];
}

function armSummary(observations: readonly ExperimentObservation[], metric: (typeof METRIC_NAMES)[number]): ArmSummary {
  if (metric === 'success') return summarize(proportion(observations.length, observations.filter((o) => o.success).length));
  // Quality may be missing for some units (calls without posted feedback): those carry NaN and are left out.
  const values = observations.map((o) => metricValue(o, metric));
  return summarizeValues(metric === 'quality' ? values.filter((v) => Number.isFinite(v)) : values);
}

/** Decides a live split from all units observed so far; minSamples counts units per arm. */
export function decideLiveSplit(input: LiveSplitInput, overrides: Partial<DecisionSettings> = {}): ExperimentDecision {
  const settings: DecisionSettings = { ...DEFAULT_DECISION_SETTINGS, ...overrides };
  const tuningN = settings.tuningN ?? 2 * settings.maxSamples;
  const srm = srmCheck([input.control.length, input.treatment.length], input.weights ?? [1, 1]);
  const raw: RawMetricEffect[] = METRIC_NAMES.map((metric) => {
    const control = armSummary(input.control, metric);
    const treatment = armSummary(input.treatment, metric);
    return { metric, effect: independentEffect(control, treatment, 'relative'), controlMean: control.mean, treatmentMean: treatment.mean };
  });
  const quality = nonInferiorityIndependent(
    armSummary(input.control, 'quality'),
    armSummary(input.treatment, 'quality'),
    settings.qualityMargin,
    { alpha: settings.alpha, sequential: true, tuningN },
  );
  const samples = Math.min(input.control.length, input.treatment.length);
  return decide(samples, metricEffects(raw, settings, tuningN), quality, settings, srm);
}
