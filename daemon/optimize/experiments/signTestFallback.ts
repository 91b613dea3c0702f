// When the primary metric's paired difference has zero variance (e.g. a model switch on identical
// token counts: every pair is cheaper by the same ratio), the delta method has nothing to say. A
// sign test is exact and distribution-free: if every non-tied pair moved the good way, the chance
// of that under "no effect" is 0.5^n. Bonferroni over every possible look keeps peeking sound.
import { LOWER_IS_BETTER, metricValue, type DecisionSettings, type ExperimentDecision, type ExperimentObservation, type ReplayPair } from '../stats';

/** A reject that only says the sample maximum was reached (the fallbacks may still find a verdict). */
function endedAtMaximum(decision: ExperimentDecision): boolean {
  return /^(inconclusive|stopped) after/.test(decision.reasons[0] ?? '');
}

export function signTestPValue(better: number, worse: number): number {
  // One-sided exact binomial tail P(X ≥ better | n, 1/2).
  const n = better + worse;
  if (n === 0) return 1;
  let tail = 0;
  let logChoose = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logChoose += Math.log(n - k + 1) - Math.log(k);
    if (k >= better) tail += Math.exp(logChoose - n * Math.LN2);
  }
  return Math.min(1, tail);
}

export function withSignTestFallback(decision: ExperimentDecision, pairs: readonly ReplayPair[], settings: DecisionSettings, looks: number): ExperimentDecision {
  const primary = decision.metrics.find((m) => m.role === 'primary');
  if (!primary || primary.valid || decision.samples < settings.minSamples) return decision;
  if (decision.decision === 'ship') return decision;
  if (decision.decision === 'reject' && !endedAtMaximum(decision)) return decision;
  const lowerIsBetter = LOWER_IS_BETTER[primary.metric];
  let better = 0;
  let worse = 0;
  for (const p of pairs) {
    const c = metricValue(p.control, primary.metric);
    const t = metricValue(p.treatment, primary.metric);
    if (t === c) continue;
    if (lowerIsBetter ? t < c : t > c) better++;
    else worse++;
  }
  const p = Math.min(1, signTestPValue(better, worse) * Math.max(1, looks));
  const guardrailRegressed = decision.metrics.some((m) => m.role === 'guardrail' && m.regressed && m.metric !== 'quality');
  if (p >= settings.alpha || !decision.quality.nonInferior || guardrailRegressed || decision.quality.inferior) return decision;
  return {
    ...decision,
    decision: 'ship',
    confidence: Math.max(0, Math.min(1 - p, 1 - decision.quality.pValue)),
    reasons: [
      `primary ${primary.metric} better in ${better} of ${better + worse} non-tied pairs (exact sign test, p=${p.toPrecision(3)} after ${looks} looks; the paired difference has no variance)`,
      `quality non-inferior: difference ${decision.quality.difference.toFixed(4)}, lower bound ${decision.quality.lowerBound.toFixed(4)} > −${decision.quality.margin}`,
      'no guardrail regression',
    ],
  };
}

/** log C(n, k). */
function logChoose(n: number, k: number): number {
  let total = 0;
  for (let i = 1; i <= k; i++) total += Math.log(n - k + i) - Math.log(i);
  return total;
}

/**
 * The same for a live split when each arm's primary metric is constant (zero variance): if every
 * treatment unit beats every control unit, the exact rank-test chance of that under "no effect" is
 * 1 / C(n_c + n_t, n_t).
 */
export function withRankFallback(
  decision: ExperimentDecision,
  control: readonly ExperimentObservation[],
  treatment: readonly ExperimentObservation[],
  settings: DecisionSettings,
  looks: number,
): ExperimentDecision {
  const primary = decision.metrics.find((m) => m.role === 'primary');
  if (!primary || primary.valid || decision.decision === 'ship' || decision.samples < settings.minSamples || decision.srm?.mismatch) return decision;
  if (decision.decision === 'reject' && !endedAtMaximum(decision)) return decision;
  const lowerIsBetter = LOWER_IS_BETTER[primary.metric];
  const c = control.map((o) => metricValue(o, primary.metric));
  const t = treatment.map((o) => metricValue(o, primary.metric));
  const separated = lowerIsBetter ? Math.max(...t) < Math.min(...c) : Math.min(...t) > Math.max(...c);
  if (!separated) return decision;
  const p = Math.min(1, Math.exp(-logChoose(c.length + t.length, t.length)) * Math.max(1, looks));
  const guardrailRegressed = decision.metrics.some((m) => m.role === 'guardrail' && m.regressed && m.metric !== 'quality');
  if (p >= settings.alpha || !decision.quality.nonInferior || guardrailRegressed) return decision;
  return {
    ...decision,
    decision: 'ship',
    confidence: Math.max(0, Math.min(1 - p, 1 - decision.quality.pValue)),
    reasons: [`every treatment unit beat every control unit on ${primary.metric} (${t.length} vs ${c.length}; exact rank test p=${p.toPrecision(3)} after ${looks} looks)`, `quality non-inferior: lower bound ${decision.quality.lowerBound.toFixed(4)} > −${decision.quality.margin}`, 'no guardrail regression'],
  };
}
