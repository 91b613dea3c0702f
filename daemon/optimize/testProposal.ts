// Testing a proposal: by paired replay of recorded inputs (now, within the replay budget) or by a
// live split through the proxy (settled in later cycles). Experiments and samples are stored.
import type { Recommendation } from '../../shared/domain';
import type { OptimizeEngine } from './engine';
import { scoreOutput } from './evaluators/scoreOutput';
import { CONTROL_ARM, liveSplitObservations, splitFor, TREATMENT_ARM } from './experiments/liveSplit';
import { runPairedReplay, type ArmSettings } from './experiments/pairedReplay';
import { loadReplayInputs } from './experiments/replayInputs';
import type { Proposal, WorkerMeasurements } from './optimizer';
import { DEFAULT_DECISION_SETTINGS, decideLiveSplit, splitDesign, summarizeValues, type DecisionSettings, type ExperimentDecision, type ExperimentObservation, type SplitDesign } from './stats';
import { withRankFallback } from './experiments/signTestFallback';
import { applyOf } from './applyRecommendation';

export interface TestResult {
  verdict: 'ship' | 'reject' | 'continue';
  confidence: number;
  reasons: string[];
  samples: number;
  spentUsd: number;
  experimentId: string | null;
  splitRunning: boolean;
  method?: string;
}


function summary(decision: ExperimentDecision): Record<string, unknown> {
  return {
    decision: decision.decision,
    confidence: decision.confidence,
    reasons: decision.reasons,
    samples: decision.samples,
    metrics: decision.metrics.map((m) => ({ metric: m.metric, role: m.role, control: m.controlMean, treatment: m.treatmentMean, relative: m.relativeEffect, ci: m.sequentialCi, p: m.adjustedPValue })),
    quality: { difference: decision.quality.difference, lower: decision.quality.lowerBound, margin: decision.quality.margin, non_inferior: decision.quality.nonInferior },
    srm: decision.srm ?? null,
  };
}

export function treatmentArm(control: ArmSettings, proposal: Proposal): ArmSettings {
  const o = proposal.apply.override ?? {};
  return {
    ...control,
    ...(typeof o.model === 'string' ? { model: o.model } : {}),
    ...(typeof o.max_tokens === 'number' ? { max_tokens: o.max_tokens } : {}),
    ...(typeof o.temperature === 'number' ? { temperature: o.temperature } : {}),
    ...(proposal.apply.promptVariant ? { systemPrompt: proposal.apply.promptVariant.systemPrompt } : {}),
  };
}

export async function testByReplay(
  engine: OptimizeEngine,
  rec: Recommendation,
  proposal: Proposal,
  w: WorkerMeasurements,
  budgetLeft: number,
  onProgress: (done: number, total: number) => void,
): Promise<TestResult> {
  const { ctx } = engine;
  const caller = engine.armCallerFor(w.worker);
  const base = { samples: 0, spentUsd: 0, splitRunning: false, method: 'replay' };
  if (!caller || !w.primaryModel) return { ...base, verdict: 'continue', confidence: proposal.confidence, reasons: ['no upstream to replay against'], experimentId: null };
  if (budgetLeft <= 0) return { ...base, verdict: 'continue', confidence: proposal.confidence, reasons: ['the replay budget (budgets.replay_usd) is spent for this cycle'], experimentId: null };
  const inputs = loadReplayInputs(ctx.db, w.worker, ctx.config.optimize.replay_max_pairs);
  const control: ArmSettings = { model: w.primaryModel, max_tokens: w.maxTokens, temperature: w.temperature };
  const treatment = treatmentArm(control, proposal);
  const experiment = engine.experiments.create({ kind: 'replay', worker: w.worker, recommendationId: rec.id, control: { ...control }, treatment: { ...treatment, systemPrompt: treatment.systemPrompt ? '(variant)' : undefined } });
  engine.recommendations.update(rec.id, { state: 'testing', experimentId: experiment.id });
  const evaluators = w.config?.evaluators ?? [];
  const outcome = await runPairedReplay({
    inputs,
    control,
    treatment,
    call: caller,
    score: async (input, output) => (await scoreOutput(evaluators, JSON.stringify(input.messages), output, engine.judge)).quality ?? 1,
    budgetUsd: budgetLeft,
    concurrency: 8,
    settings: { primaryMetric: proposal.test.primaryMetric, qualityMargin: ctx.config.policy.quality_margin, minSamples: Math.min(30, Math.max(8, inputs.length)), tuningN: ctx.config.optimize.replay_max_pairs },
    onBatch: (done, total) => onProgress(done, total),
  });
  engine.experiments.addSamples(
    experiment.id,
    outcome.pairs.flatMap((p) => [
      { arm: 'control' as const, pairKey: p.key, ...p.control },
      { arm: 'treatment' as const, pairKey: p.key, ...p.treatment },
    ]),
  );
  const decision = outcome.decision;
  const verdict = outcome.stoppedBy === 'budget' && decision?.decision === 'continue' ? 'continue' : (decision?.decision ?? 'continue');
  const reasons = decision ? [...decision.reasons] : ['no recorded inputs to replay'];
  if (outcome.stoppedBy === 'budget') reasons.push(`stopped at the replay budget ($${outcome.spentUsd.toFixed(4)} spent)`);
  engine.experiments.finish(experiment.id, verdict === 'ship' ? 'shipped' : verdict === 'reject' ? 'rejected' : 'stopped', { ...(decision ? summary(decision) : {}), stopped_by: outcome.stoppedBy, pairs: outcome.pairs.length }, outcome.spentUsd);
  return { verdict, confidence: decision?.confidence ?? 0, reasons, samples: outcome.pairs.length, spentUsd: outcome.spentUsd, experimentId: experiment.id, splitRunning: false, method: 'replay' };
}

export function startSplit(engine: OptimizeEngine, rec: Recommendation, proposal: Proposal): TestResult {
  const worker = rec.worker as string;
  const fields = proposal.apply.override ?? {};
  const experiment = engine.experiments.create({ kind: 'split', worker, recommendationId: rec.id, control: { arm: CONTROL_ARM }, treatment: { arm: TREATMENT_ARM, ...fields, primaryMetric: proposal.test.primaryMetric } });
  if (proposal.apply.promptVariant) {
    const v = proposal.apply.promptVariant;
    engine.overrides.putVariant({ id: v.id, worker, system_prompt: v.systemPrompt, description: v.description, created_by: 'flowtune' });
  }
  engine.overrides.set(worker, { set: { split: splitFor(experiment.id, fields) }, replace: false, set_by: 'flowtune', reason: `live split experiment ${experiment.id}: ${rec.title}` });
  return { verdict: 'continue', confidence: proposal.confidence, reasons: ['live split started: half the runs get the change'], samples: 0, spentUsd: 0, experimentId: experiment.id, splitRunning: true, method: 'split' };
}

const MIN_UNITS_PER_ARM = 30;

/**
 * The design, from the control arm's quality spread (blind to the treatment). A control without any
 * spread yet (every call scored 1) says nothing about the score's noise: then the pooled spread sets
 * the scale (its mean difference stays unused), and the design is not frozen until one exists.
 */
function designFrom(control: readonly ExperimentObservation[], treatment: readonly ExperimentObservation[], policyMargin: number): SplitDesign | null {
  const scored = (xs: readonly ExperimentObservation[]) => xs.map((o) => o.quality).filter((q) => Number.isFinite(q));
  const c = scored(control);
  if (c.length < MIN_UNITS_PER_ARM) return null;
  const sd = Math.sqrt(summarizeValues(c).variance);
  if (sd > 0) return splitDesign(sd, policyMargin);
  const pooled = Math.sqrt(summarizeValues([...c, ...scored(treatment)]).variance);
  return pooled > 0 ? { ...splitDesign(pooled, policyMargin), frozen: false } : null;
}

/** How much traffic the treatment arm took, and the quality it cost if it was worse (regret). */
export function exposureOf(control: readonly ExperimentObservation[], treatment: readonly ExperimentObservation[]): { treatment_units: number; quality_regret: number } {
  const mean = (xs: readonly ExperimentObservation[]) => {
    const q = xs.map((o) => o.quality).filter((v) => Number.isFinite(v));
    return q.length > 0 ? q.reduce((s, v) => s + v, 0) / q.length : null;
  };
  const c = mean(control);
  const t = mean(treatment);
  return { treatment_units: treatment.length, quality_regret: c !== null && t !== null ? Math.max(0, c - t) * treatment.length : 0 };
}

/** Decides every running live split that has enough data; finished ones lose their split. */
export function settleSplits(engine: OptimizeEngine): Array<{ rec: Recommendation; result: TestResult }> {
  const { ctx } = engine;
  const settled: Array<{ rec: Recommendation; result: TestResult }> = [];
  for (const exp of engine.experiments.list({ state: 'running', kind: 'split' })) {
    if (!exp.worker || !exp.recommendationId) continue;
    const rec = engine.recommendations.get(exp.recommendationId);
    if (!rec) continue;
    const evaluators = ctx.config.workers.find((w) => w.name === exp.worker)?.evaluators ?? [];
    const observations = liveSplitObservations(ctx.db, exp.worker, exp.startedAt, evaluators);
    const primary = (exp.treatment.primaryMetric as 'cost' | 'latencyMs' | 'quality' | undefined) ?? 'cost';
    // The margin is fixed once, from the control arm alone (blind to the treatment), at the first look with enough units.
    const design = (exp.result?.design as SplitDesign | undefined) ?? designFrom(observations.control, observations.treatment, ctx.config.policy.quality_margin);
    const settings: DecisionSettings = { ...DEFAULT_DECISION_SETTINGS, primaryMetric: primary, qualityMargin: design?.margin ?? ctx.config.policy.quality_margin, minSamples: MIN_UNITS_PER_ARM, maxSamples: design?.maxUnitsPerArm ?? splitDesign(0, 0).maxUnitsPerArm };
    const looks = Math.max(1, ((exp.result?.looks as number | undefined) ?? 0) + 1);
    const decision = withRankFallback(decideLiveSplit({ control: observations.control, treatment: observations.treatment, weights: [1, 1] }, settings), observations.control, observations.treatment, settings, looks);
    const exposure = exposureOf(observations.control, observations.treatment);
    if (decision.decision === 'continue') {
      engine.experiments.updateResult(exp.id, { ...summary(decision), looks, ...(design && design.frozen !== false ? { design } : {}), exposure });
      continue;
    }
    engine.overrides.set(exp.worker, { set: { split: null }, replace: false, set_by: 'flowtune', reason: `live split ${exp.id} ended: ${decision.decision}` });
    engine.experiments.finish(exp.id, decision.decision === 'ship' ? 'shipped' : 'rejected', { ...summary(decision), looks, design, exposure }, 0);
    const reasons = design ? [...decision.reasons, design.why] : decision.reasons;
    if (decision.decision === 'reject') reasons.push(`exposure: ${exposure.treatment_units} units on the treatment arm, estimated quality regret ${exposure.quality_regret.toFixed(2)} (units × quality lost)`);
    const result: TestResult = { verdict: decision.decision, confidence: decision.confidence, reasons, samples: decision.samples, spentUsd: 0, experimentId: exp.id, splitRunning: false, method: 'split' };
    if (!applyOf(rec).override) continue;
    settled.push({ rec, result });
  }
  return settled;
}
