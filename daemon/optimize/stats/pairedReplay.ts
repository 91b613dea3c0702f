// Decision for a paired replay experiment: each recorded input is re-run under control and
// treatment, so per-input variation cancels. Effects are relative (treatment/control − 1) with
// the ratio delta method including the within-pair covariance; the decision is anytime-valid
// so it may be taken after every batch of pairs.

import { pairedEffect } from './effectEstimate';
import type { DecisionSettings, ExperimentDecision, ExperimentObservation, RawMetricEffect } from './experimentDecision';
import { DEFAULT_DECISION_SETTINGS, METRIC_NAMES, decide, metricEffects, metricValue } from './experimentDecision';
import { nonInferiorityPaired } from './nonInferiority';

export interface ReplayPair {
  readonly control: ExperimentObservation;
  readonly treatment: ExperimentObservation;
}

function mean(values: readonly number[]): number {
  return values.length > 0 ? values.reduce((s, v) => s + v, 0) / values.length : 0;
}

/** Decides a paired replay from all pairs observed so far. */
export function decidePairedReplay(pairs: readonly ReplayPair[], overrides: Partial<DecisionSettings> = {}): ExperimentDecision {
  const settings: DecisionSettings = { ...DEFAULT_DECISION_SETTINGS, ...overrides };
  const tuningN = settings.tuningN ?? settings.maxSamples;
  const raw: RawMetricEffect[] = METRIC_NAMES.map((metric) => {
    const control = pairs.map((p) => metricValue(p.control, metric));
    const treatment = pairs.map((p) => metricValue(p.treatment, metric));
    return { metric, effect: pairedEffect(control, treatment, 'relative'), controlMean: mean(control), treatmentMean: mean(treatment) };
  });
  const quality = nonInferiorityPaired(
    pairs.map((p) => p.control.quality),
    pairs.map((p) => p.treatment.quality),
    settings.qualityMargin,
    { alpha: settings.alpha, sequential: true, tuningN },
  );
  return decide(pairs.length, metricEffects(raw, settings, tuningN), quality, settings);
}
