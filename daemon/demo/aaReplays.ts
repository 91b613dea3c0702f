// A/A replays: the same recorded inputs re-run under two identical arms many times. Any "ship" is a
// false positive; the rate over many experiments is what the decision rules promise to keep small.
import type Database from 'better-sqlite3';
import OpenAI from 'openai';
import type { OptimizeEngine } from '../optimize/engine';
import { scoreOutput } from '../optimize/evaluators/scoreOutput';
import { openaiArmCaller } from '../optimize/experiments/openaiArmCaller';
import { runPairedReplay, type ArmCaller, type ArmSettings } from '../optimize/experiments/pairedReplay';
import { loadReplayInputs } from '../optimize/experiments/replayInputs';

export interface AaOutcome {
  experiments: number;
  shipped: number;
  rejected: number;
  inconclusive: number;
  falseShipRate: number;
  calls: number;
}

export async function measureAaFalseShips(
  db: Database.Database,
  engine: OptimizeEngine,
  worker: string,
  experiments: number,
  onProgress?: (done: number) => void,
  options: { baseURL?: string; caller?: ArmCaller; maxPairs?: number } = {},
): Promise<AaOutcome> {
  const config = engine.ctx.config.workers.find((w) => w.name === worker);
  const model = engine.overrides.get(worker)?.spec.model ?? config?.model ?? 'gpt-4o-mini';
  const arm: ArmSettings = { model, max_tokens: engine.overrides.get(worker)?.spec.max_tokens ?? config?.max_tokens ?? null };
  const inputs = loadReplayInputs(db, worker, options.maxPairs ?? engine.ctx.config.optimize.replay_max_pairs);
  const base = options.baseURL ?? engine.ctx.upstream;
  const caller = options.caller ?? openaiArmCaller(new OpenAI({ baseURL: base ?? undefined, apiKey: 'flowtune-aa', maxRetries: 3 }), engine.prices);
  const outcome: AaOutcome = { experiments: 0, shipped: 0, rejected: 0, inconclusive: 0, falseShipRate: 0, calls: 0 };
  for (let i = 0; i < experiments; i++) {
    const result = await runPairedReplay({
      inputs,
      control: arm,
      treatment: { ...arm },
      call: caller,
      score: async (input, output) => (await scoreOutput(config?.evaluators ?? [], JSON.stringify(input.messages), output, null)).quality ?? 1,
      budgetUsd: Infinity,
      concurrency: 8,
      settings: { primaryMetric: 'cost', qualityMargin: engine.ctx.config.policy.quality_margin, minSamples: Math.min(30, inputs.length), tuningN: inputs.length },
    });
    outcome.experiments++;
    outcome.calls += result.pairs.length * 2;
    const verdict = result.decision?.decision ?? 'continue';
    if (verdict === 'ship') outcome.shipped++;
    else if (verdict === 'reject') outcome.rejected++;
    else outcome.inconclusive++;
    onProgress?.(outcome.experiments);
  }
  outcome.falseShipRate = outcome.experiments > 0 ? outcome.shipped / outcome.experiments : 0;
  return outcome;
}
