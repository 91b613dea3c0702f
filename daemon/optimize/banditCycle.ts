// The feedback-learning step of a cycle: for a worker with prompt variants of its own (registered by
// the developer) and feedback on its outputs, run Thompson-style allocation through the proxy split
// (promptBandit.ts has the rules); record the learning curve; finish by applying the winner.
import type { TrafficSplit } from '../../shared/http/overrides';
import { applyRecommendation } from './applyRecommendation';
import { logDecision } from './decisionLog';
import type { OptimizeEngine } from './engine';
import type { ExperimentRow } from './experimentStore';
import type { Proposal } from './optimizer';
import { banditStep, type BanditArm, type BanditHistoryPoint } from './promptBandit';

export const APP_ARM = 'app';

export interface BanditOutcome {
  worker: string;
  experimentId: string;
  action: string;
  weights: Record<string, number>;
  reward: number | null;
  reason: string;
}

interface ArmSpec {
  name: string;
  promptVariant: string | null;
}

function rewardSince(engine: OptimizeEngine, worker: string, since: number): { reward: number | null; rewardN: number; rewardVariance: number } {
  const row = engine.ctx.db
    .prepare(
      `SELECT AVG(q) AS m, COUNT(q) AS n, AVG(q * q) AS m2 FROM (SELECT AVG(s.value) AS q FROM scores s JOIN calls c ON c.id = s.call_id
       WHERE c.worker = ? AND c.started_at >= ? AND s.value IS NOT NULL GROUP BY c.id)`,
    )
    .get(worker, since) as { m: number | null; n: number; m2: number | null };
  const variance = row.n > 1 && row.m !== null && row.m2 !== null ? Math.max(0, ((row.m2 - row.m * row.m) * row.n) / (row.n - 1)) : 0;
  return { reward: row.m, rewardN: row.n, rewardVariance: variance };
}

function armStats(engine: OptimizeEngine, worker: string, since: number, arms: readonly ArmSpec[]): BanditArm[] {
  const query = engine.ctx.db.prepare(
    `SELECT AVG(q) AS m, COUNT(q) AS n, AVG(q * q) AS m2 FROM (SELECT AVG(s.value) AS q FROM scores s JOIN calls c ON c.id = s.call_id
     WHERE c.worker = ? AND c.started_at >= ? AND c.variant = ? AND s.value IS NOT NULL GROUP BY c.id)`,
  );
  return arms.map((arm) => {
    const row = query.get(worker, since, arm.name) as { m: number | null; n: number; m2: number | null };
    const variance = row.n > 1 && row.m !== null && row.m2 !== null ? Math.max(0, ((row.m2 - row.m * row.m) * row.n) / (row.n - 1)) : 0;
    return { name: arm.name, promptVariant: arm.promptVariant, n: row.n, mean: row.m ?? 0, variance };
  });
}

function splitOf(exp: ExperimentRow, arms: readonly ArmSpec[], weights: readonly number[]): TrafficSplit {
  return {
    salt: `bandit:${exp.id}`,
    arms: arms.map((arm, i) => ({ name: arm.name, weight: Math.max(1e-6, weights[i]), ...(arm.promptVariant ? { prompt_variant: arm.promptVariant } : {}) })),
  };
}

function startBandits(engine: OptimizeEngine, running: readonly ExperimentRow[]): void {
  const variants = engine.overrides.variants().filter((v) => v.worker && !v.created_by.startsWith('flowtune'));
  const byWorker = new Map<string, string[]>();
  for (const v of variants) byWorker.set(v.worker as string, [...(byWorker.get(v.worker as string) ?? []), v.id]);
  for (const [worker, ids] of byWorker) {
    if (running.some((e) => e.worker === worker)) continue;
    if (engine.ctx.db.prepare(`SELECT 1 FROM experiments WHERE kind = 'bandit' AND worker = ?`).get(worker)) continue;
    if (engine.overrides.get(worker)?.spec.split) continue;
    const arms: ArmSpec[] = [{ name: APP_ARM, promptVariant: null }, ...ids.map((id) => ({ name: id, promptVariant: id }))];
    const exp = engine.experiments.create({ kind: 'bandit', worker, recommendationId: null, control: { arm: APP_ARM }, treatment: { arms } });
    const weights = arms.map(() => 1 / arms.length);
    engine.overrides.set(worker, { set: { split: splitOf(exp, arms, weights) }, replace: false, set_by: 'flowtune', reason: `prompt bandit ${exp.id}: uniform burn-in over ${arms.length} prompts` });
    engine.experiments.updateResult(exp.id, { arms, history: [] });
    logDecision(engine.ctx.db, { actor: 'flowtune', action: 'bandit_start', recommendationId: null, experimentId: exp.id, worker, summary: `started learning from feedback among ${arms.length} prompts of ${worker} (uniform until 100 scored calls each)`, evidence: { arms } });
  }
}

export function banditCycle(engine: OptimizeEngine, cycle: number, now = Date.now()): BanditOutcome[] {
  const running = engine.experiments.list({ state: 'running', kind: 'bandit' });
  const outcomes: BanditOutcome[] = [];
  for (const exp of running) {
    if (!exp.worker) continue;
    const arms = (exp.treatment.arms as ArmSpec[] | undefined) ?? [];
    const history = ((exp.result?.history as BanditHistoryPoint[] | undefined) ?? []).slice();
    const lastAt = history.at(-1)?.at ?? exp.startedAt;
    const sinceLast = rewardSince(engine, exp.worker, lastAt);
    const stats = armStats(engine, exp.worker, exp.startedAt, arms);
    const step = banditStep(stats, history, sinceLast, { seed: 100 + cycle });
    history.push({ cycle, at: now, action: step.action, weights: step.weights, ...sinceLast });
    const named = Object.fromEntries(arms.map((a, i) => [a.name, step.weights[i]]));
    outcomes.push({ worker: exp.worker, experimentId: exp.id, action: step.action, weights: named, reward: sinceLast.reward, reason: step.reason });
    engine.experiments.updateResult(exp.id, { arms, history, arm_stats: stats, best_arm_probabilities: step.bestArmProbabilities });
    if (step.action === 'finish' && step.winner !== null) {
      finish(engine, exp, arms, stats, step.winner, history);
      continue;
    }
    if (step.action === 'update' || step.action === 'rollback') {
      engine.overrides.set(exp.worker, { set: { split: splitOf(exp, arms, step.weights) }, replace: false, set_by: 'flowtune', reason: `prompt bandit ${step.action}: ${step.reason}` });
      logDecision(engine.ctx.db, {
        actor: 'flowtune',
        action: step.action === 'update' ? 'bandit_update' : 'bandit_rollback',
        recommendationId: null,
        experimentId: exp.id,
        worker: exp.worker,
        summary: `${exp.worker} prompt weights ${Object.entries(named).map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`).join(', ')}: ${step.reason}`,
        evidence: { arm_stats: stats, best_arm_probabilities: step.bestArmProbabilities, reward_since_last: sinceLast },
      });
    }
  }
  startBandits(engine, running);
  return outcomes;
}

function finish(engine: OptimizeEngine, exp: ExperimentRow, arms: readonly ArmSpec[], stats: readonly BanditArm[], winner: number, history: BanditHistoryPoint[]): void {
  const worker = exp.worker as string;
  const arm = arms[winner];
  engine.overrides.set(worker, { set: { split: null }, replace: false, set_by: 'flowtune', reason: `prompt bandit ${exp.id} finished: ${arm.name} wins` });
  engine.experiments.finish(exp.id, 'shipped', { arms, history, arm_stats: stats, winner: arm.name }, 0);
  const scored = stats.reduce((s, a) => s + a.n, 0);
  const app = stats.find((a) => a.name === APP_ARM);
  const proposal: Proposal = {
    optimizer: 'feedback_bandit',
    worker,
    title: `${worker}: prompt "${arm.name}" chosen from feedback (quality ${stats[winner].mean.toFixed(3)} vs app prompt ${app ? app.mean.toFixed(3) : 'n/a'})`,
    change: { kind: 'prompt', from: APP_ARM, to: arm.promptVariant ?? APP_ARM, details: { arms: arms.map((a) => a.name) } },
    evidence: { scored_calls: scored, arm_stats: stats, cycles: history.length },
    expectedGain: { metric: 'quality', relative: app && app.mean > 0 ? stats[winner].mean / app.mean - 1 : 0, description: `learned from ${scored} scored calls over ${history.length} cycles` },
    confidence: 0.99,
    test: { method: 'split', primaryMetric: 'quality' },
    apply: { override: { prompt_variant: arm.promptVariant } },
  };
  const rec = engine.recommendations.create(proposal, null);
  engine.recommendations.update(rec.id, { experimentId: exp.id, confidence: 0.99 });
  const fresh = engine.recommendations.get(rec.id);
  if (!fresh) return;
  if (arm.promptVariant) applyRecommendation(engine, fresh, 'flowtune', `Thompson sampling over ${scored} scored calls: ${arm.name} best with probability ≥ 0.99`);
  else {
    engine.recommendations.update(rec.id, { state: 'rejected' });
    logDecision(engine.ctx.db, { actor: 'flowtune', action: 'reject', recommendationId: rec.id, experimentId: exp.id, worker, summary: `kept the app's own prompt for ${worker}: no variant beat it on feedback`, evidence: { arm_stats: stats } });
  }
}
