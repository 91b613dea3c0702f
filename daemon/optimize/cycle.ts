// One optimization cycle: watch what was applied (roll back regressions), settle live splits, step
// the prompt bandits, measure, let every optimizer propose, test each proposal (paired replay, live
// split, or its own evidence), then apply winners by policy or leave them for review. Logged.
import type { Recommendation } from '../../shared/domain';
import { appliesLive, applyOf, applyRecommendation } from './applyRecommendation';
import { banditCycle, type BanditOutcome } from './banditCycle';
import { decideOutcome } from './decidePolicy';
import { listDecisions, logDecision } from './decisionLog';
import { locateEdit } from './editLocator';
import type { OptimizeEngine } from './engine';
import { canScore } from './evaluators/scoreOutput';
import { modelTrialsExhausted, qualitySignalOf, waitReason } from './autonomy';
import { changeKey, type Proposal, type WorkerMeasurements } from './optimizer';
import { compressionProposal, compressWithModel } from './optimizers/promptCompression';
import { gatherMeasurements } from './measurements';
import { OPTIMIZERS } from './registry';
import { aiHypothesesOptimizer } from '../insights/hypothesisOptimizer';
import { settleSplits, startSplit, testByReplay, type TestResult } from './testProposal';
import { watchAppliedChanges, type WatchOutcome } from './watchCycle';
import { splittable } from './experiments/liveSplit';
import { proxyStateFor } from '../proxy/proxyState';

export type ProgressFn = (stage: string, done: number, total: number) => void;

export interface CycleReport {
  cycle: number;
  started_at: number;
  finished_at: number;
  analysed: { workers: number; calls: number; proposals: number };
  watched: WatchOutcome[];
  tested: Array<{ recommendation_id: string; title: string; method: string; verdict: string; confidence: number; samples: number; spent_usd: number; reasons: string[] }>;
  applied: Array<{ recommendation_id: string; title: string; worker: string | null }>;
  rolled_back: Array<{ recommendation_id: string; worker: string; reasons: string[] }>;
  left_for_review: Array<{ recommendation_id: string; title: string; confidence: number }>;
  rejected: Array<{ recommendation_id: string; title: string; reasons: string[] }>;
  testing: Array<{ recommendation_id: string; title: string; experiment_id: string }>;
  /** Live changes held back until their worker has a quality signal, and why. */
  waiting: Array<{ recommendation_id: string; title: string; worker: string | null; reason: string }>;
  bandits: BanditOutcome[];
  spent_usd: number;
}

const ANALYSIS_WINDOW_MS = 7 * 86_400_000;

export function cycleCount(engine: OptimizeEngine): number {
  return (engine.ctx.db.prepare(`SELECT COUNT(*) AS n FROM decisions WHERE action = 'cycle'`).get() as { n: number }).n;
}

/** A recommendation held back until its worker has a quality signal (see autonomy.ts). */
function isWaiting(rec: Recommendation): boolean {
  return rec.state === 'open' && rec.evidence.waiting_for === 'quality_signal';
}

/** Changes already tried (or decided); those waiting for a quality signal may come back. */
function triedKeys(recs: readonly Recommendation[]): Set<string> {
  return new Set(recs.filter((r) => !isWaiting(r)).map((r) => changeKey(r.worker, r.change)));
}

export interface ProposalGroup {
  proposal: Proposal;
  /** Tried in order when a replay rejects the one before (same worker and optimizer). */
  alternates: Proposal[];
}

/** Expected value of testing a proposal: its prior confidence times the size of its expected gain. */
export function priority(p: Proposal): number {
  return p.confidence * Math.abs(p.expectedGain.relative);
}

/**
 * One live change per worker per cycle, highest priority first, so each effect is attributable;
 * proposals that only carry an edit are all kept. Alternatives of the chosen optimizer for the same
 * worker follow it in the optimizer's own order.
 */
export function chooseProposals(proposals: readonly Proposal[], busyWorkers: ReadonlySet<string>): ProposalGroup[] {
  const groups: ProposalGroup[] = [];
  const taken = new Set<string>();
  // Changes decided on their own evidence go first: they take effect at once, and they take noise out of
  // the experiments that follow on the same worker (a capped runaway no longer swamps a cost comparison).
  const evidenceOnly = (p: Proposal) => (p.test.method === 'none' ? 1 : 0);
  const sorted = proposals.slice().sort((a, b) => evidenceOnly(b) - evidenceOnly(a) || priority(b) - priority(a));
  for (const p of sorted) {
    const live = Boolean(p.apply.override);
    if (!live || !p.worker) {
      groups.push({ proposal: p, alternates: [] });
      continue;
    }
    if (busyWorkers.has(p.worker) || taken.has(p.worker)) continue;
    taken.add(p.worker);
    const alternates = proposals.filter((q) => q !== p && q.worker === p.worker && q.optimizer === p.optimizer && q.apply.override).slice(0, 2);
    groups.push({ proposal: p, alternates });
  }
  return groups;
}

function methodFor(engine: OptimizeEngine, p: Proposal, w: WorkerMeasurements | undefined): 'replay' | 'split' | 'none' {
  if (p.test.method === 'none') return 'none';
  const mode = engine.ctx.config.optimize.experiment;
  const canSplit = Boolean(p.apply.override && splittable(p.apply.override));
  const canReplay = Boolean(w && p.worker && w.replayableCalls >= 20 && canScore(w.config?.evaluators ?? [], engine.judge) && engine.armCallerFor(p.worker));
  if (mode === 'split') return canSplit ? 'split' : canReplay ? 'replay' : 'none';
  if (mode === 'replay') return canReplay ? 'replay' : 'none';
  return canReplay ? 'replay' : canSplit ? 'split' : 'none';
}

export async function runCycle(engine: OptimizeEngine, onProgress: ProgressFn = () => undefined): Promise<CycleReport> {
  const { ctx } = engine;
  // The proxy writes call records in short batches after each response: measure what has been served.
  proxyStateFor(ctx).records.flush();
  const started = Date.now();
  const cycle = cycleCount(engine) + 1;
  const report: CycleReport = {
    cycle,
    started_at: started,
    finished_at: started,
    analysed: { workers: 0, calls: 0, proposals: 0 },
    watched: [],
    tested: [],
    applied: [],
    rolled_back: [],
    left_for_review: [],
    rejected: [],
    testing: [],
    waiting: [],
    bandits: [],
    spent_usd: 0,
  };
  onProgress('watching applied changes', 0, 1);
  report.watched = watchAppliedChanges(engine, started);
  for (const w of report.watched) if (w.verdict === 'regressed') report.rolled_back.push({ recommendation_id: w.recommendationId, worker: w.worker, reasons: w.reasons });
  onProgress('settling live splits', 0, 1);
  for (const settled of settleSplits(engine)) record(engine, report, settled);
  onProgress('learning from feedback', 0, 1);
  report.bandits = banditCycle(engine, cycle);

  onProgress('measuring', 0, 1);
  const all = engine.recommendations.list();
  const listedModels = await engine.upstreamModels();
  const measurements = gatherMeasurements(ctx.db, {
    listedModels,
    now: started,
    since: started - ANALYSIS_WINDOW_MS,
    config: ctx.config,
    prices: engine.prices,
    overrideOf: (worker) => {
      const o = engine.overrides.get(worker);
      return o ? { spec: o.spec, setAt: o.set_at } : null;
    },
    triedKeys: triedKeys(all),
  });
  report.analysed.workers = measurements.workers.length;
  report.analysed.calls = measurements.workers.reduce((s, w) => s + w.calls, 0);
  let proposals = [...OPTIMIZERS, aiHypothesesOptimizer(ctx.db)]
    .flatMap((o) => o.propose(measurements))
    .filter((p) => !(p.optimizer === 'model_selection' && p.worker && modelTrialsExhausted(all, p.worker, started - ANALYSIS_WINDOW_MS)));
  if (engine.judge) proposals = await withModelCompression(engine, proposals, measurements.workers, measurements);
  report.analysed.proposals = proposals.length;
  const busy = new Set<string>();
  for (const rec of all) if (rec.worker && (rec.state === 'testing' || (rec.state === 'applied' && !(rec.evidence.watch as { done?: boolean } | undefined)?.done))) busy.add(rec.worker);
  for (const exp of engine.experiments.list({ state: 'running' })) if (exp.worker) busy.add(exp.worker);
  const chosen = chooseProposals(proposals, busy);

  let budgetLeft = ctx.config.budgets.replay_usd;
  const waitingByKey = new Map(all.filter(isWaiting).map((r) => [changeKey(r.worker, r.change), r]));
  for (const [index, group] of chosen.entries()) {
    for (const proposal of [group.proposal, ...group.alternates]) {
      onProgress(`testing: ${proposal.title}`, index, chosen.length);
      const w = measurements.workers.find((x) => x.worker === proposal.worker);
      const key = changeKey(proposal.worker, proposal.change);
      const waitingRec = waitingByKey.get(key);
      const wait = waitReason(proposal, w, w ? qualitySignalOf(w, Boolean(engine.judge)) : 'none');
      if (wait) {
        const held = waitingRec ?? holdForSignal(engine, proposal, locateEdit(proposal.apply.edit, proposal.worker, w?.source ?? null, engine.configText()), wait);
        report.waiting.push({ recommendation_id: held.id, title: held.title, worker: held.worker, reason: wait });
        break;
      }
      // The signal has come: the held recommendation gives way to a fresh one, tested now.
      if (waitingRec) engine.recommendations.update(waitingRec.id, { state: 'dismissed', evidence: { waiting_for: null, superseded: true } });
      const edit = locateEdit(proposal.apply.edit, proposal.worker, w?.source ?? null, engine.configText());
      const rec = engine.recommendations.create(proposal, edit);
      const method = methodFor(engine, proposal, w);
      let result: TestResult;
      if (method === 'replay' && w) {
        result = await testByReplay(engine, rec, proposal, w, budgetLeft, (done, total) => onProgress(`replaying: ${proposal.title}`, done, total));
        budgetLeft -= result.spentUsd;
        report.spent_usd += result.spentUsd;
      } else if (method === 'split') {
        result = startSplit(engine, rec, proposal);
      } else if (proposal.apply.override && proposal.requiresExperiment) {
        result = { verdict: 'continue', confidence: proposal.confidence, reasons: ['a hypothesis ships only on an experiment, and none can run for this worker yet (replayable calls with an evaluator, or a live split)'], samples: 0, spentUsd: 0, experimentId: null, splitRunning: false, method: 'none' };
      } else if (proposal.apply.override) {
        result = { verdict: 'ship', confidence: proposal.confidence, reasons: ['decided on its own evidence (no experiment can add to it); watched after applying'], samples: 0, spentUsd: 0, experimentId: null, splitRunning: false, method: 'none' };
      } else {
        result = { verdict: 'continue', confidence: proposal.confidence, reasons: ['only a code or config edit can apply it'], samples: 0, spentUsd: 0, experimentId: null, splitRunning: false, method: 'none' };
      }
      report.tested.push({ recommendation_id: rec.id, title: rec.title, method, verdict: result.verdict, confidence: result.confidence, samples: result.samples, spent_usd: result.spentUsd, reasons: result.reasons });
      record(engine, report, { rec: engine.recommendations.get(rec.id) as Recommendation, result });
      // Only a replay that rejected the change moves on to the next candidate, within the budget.
      if (!(method === 'replay' && result.verdict === 'reject') || budgetLeft <= 0) break;
    }
  }
  onProgress('done', 1, 1);
  report.finished_at = Date.now();
  logDecision(ctx.db, {
    actor: 'flowtune',
    action: 'cycle',
    recommendationId: null,
    experimentId: null,
    worker: null,
    summary: `cycle ${cycle}: ${report.analysed.proposals} proposals over ${report.analysed.workers} workers; ${report.applied.length} applied, ${report.rolled_back.length} rolled back, ${report.testing.length} testing, ${report.waiting.length} waiting for a quality signal, ${report.left_for_review.length} for review, ${report.rejected.length} rejected`,
    evidence: { ...report, watched: report.watched.length },
  });
  return report;
}

/** Records a live change that waits for a quality signal (once; later cycles find it by its key). */
function holdForSignal(engine: OptimizeEngine, proposal: Proposal, edit: ReturnType<typeof locateEdit>, reason: string): Recommendation {
  const rec = engine.recommendations.create(proposal, edit);
  const updated = engine.recommendations.update(rec.id, { evidence: { waiting_for: 'quality_signal', wait_reason: reason } });
  logDecision(engine.ctx.db, { actor: 'flowtune', action: 'wait', recommendationId: rec.id, experimentId: null, worker: rec.worker, summary: `holding "${rec.title}": ${reason}`, evidence: { apply: applyOf(rec) } });
  return updated;
}

/** Turns a test result into the recommendation's fate, by policy. */
function record(engine: OptimizeEngine, report: CycleReport, settled: { rec: Recommendation; result: TestResult }): void {
  const { rec, result } = settled;
  const { policy } = engine.ctx.config;
  const outcome = decideOutcome({ verdict: result.verdict, confidence: result.confidence, threshold: policy.confidence_threshold, autoApply: policy.auto_apply, appliesLive: appliesLive(rec), splitRunning: result.splitRunning });
  const evidence = { test_result: { verdict: result.verdict, confidence: result.confidence, reasons: result.reasons, samples: result.samples, spent_usd: result.spentUsd, method: result.method ?? null } };
  if (outcome === 'testing') {
    engine.recommendations.update(rec.id, { state: 'testing', experimentId: result.experimentId, evidence });
    report.testing.push({ recommendation_id: rec.id, title: rec.title, experiment_id: result.experimentId ?? '' });
    return;
  }
  const updated = engine.recommendations.update(rec.id, { confidence: result.confidence, experimentId: result.experimentId, evidence });
  if (outcome === 'apply') {
    applyRecommendation(engine, updated, 'flowtune', `${result.reasons.join('; ')} (confidence ${result.confidence.toFixed(3)} ≥ ${policy.confidence_threshold})`, evidence);
    report.applied.push({ recommendation_id: rec.id, title: rec.title, worker: rec.worker });
  } else if (outcome === 'reject') {
    engine.recommendations.update(rec.id, { state: 'rejected' });
    logDecision(engine.ctx.db, { actor: 'flowtune', action: 'reject', recommendationId: rec.id, experimentId: result.experimentId, worker: rec.worker, summary: `rejected "${rec.title}": ${result.reasons.join('; ')}`, evidence });
    report.rejected.push({ recommendation_id: rec.id, title: rec.title, reasons: result.reasons });
  } else {
    engine.recommendations.update(rec.id, { state: 'open' });
    const why = !appliesLive(rec) ? 'needs a code or config edit' : !policy.auto_apply ? 'auto_apply is off' : result.verdict === 'continue' ? 'the experiment was inconclusive' : `confidence ${result.confidence.toFixed(3)} < ${policy.confidence_threshold}`;
    logDecision(engine.ctx.db, { actor: 'flowtune', action: 'recommend', recommendationId: rec.id, experimentId: result.experimentId, worker: rec.worker, summary: `left "${rec.title}" for review: ${why}`, evidence: { ...evidence, edit: rec.edit, apply: applyOf(rec) } });
    report.left_for_review.push({ recommendation_id: rec.id, title: rec.title, confidence: result.confidence });
  }
}

async function withModelCompression(engine: OptimizeEngine, proposals: Proposal[], workers: WorkerMeasurements[], m: Parameters<typeof compressionProposal>[1]): Promise<Proposal[]> {
  const judge = engine.judge;
  if (!judge) return proposals;
  const out = proposals.filter((p) => p.optimizer !== 'prompt_compression');
  for (const p of proposals.filter((x) => x.optimizer === 'prompt_compression')) {
    const w = workers.find((x) => x.worker === p.worker);
    const text = w?.systemPrompt ? await compressWithModel(judge.client, judge.model, w.systemPrompt).catch(() => null) : null;
    const byModel = text && w ? compressionProposal(w, m, text, 'model') : null;
    out.push(byModel && (byModel.evidence.compressed_chars as number) < (p.evidence.compressed_chars as number) ? byModel : p);
  }
  return out;
}

export function lastCycleAt(engine: OptimizeEngine): number | null {
  const cycles = listDecisions(engine.ctx.db).filter((d) => d.action === 'cycle');
  return cycles.at(-1)?.at ?? null;
}
