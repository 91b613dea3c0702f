// Model selection: a cheaper model for a worker, to be shown (by replay or a live split) to hold
// quality within the non-inferiority margin. The cheapest candidate first; after a failure, the one
// nearest the current price; the cycle tests the first and, when a replay rejects it, the next; a
// candidate that failed is not proposed again.
import { changeKey, type Measurements, type Optimizer, type Proposal, type WorkerMeasurements } from '../optimizer';

/**
 * Calls (since the worker's last override change) before a cheaper model is proposed: enough to
 * estimate its mean token counts for the saving, which is all the proposal needs — whether quality
 * holds is the experiment's question, not this count's.
 */
const MIN_CALLS = 20;
/** Only moves that save at least this share of the worker's cost are worth an experiment. */
const MIN_SAVING = 0.2;

export function estimatedCostPerCall(m: Measurements, model: string, inputTokens: number, outputTokens: number): number | null {
  const price = m.priceOf(model);
  return price ? inputTokens * price.inputPerToken + outputTokens * price.outputPerToken : null;
}

/** Candidates tried per worker per cycle at most (the cycle moves to the next when a replay rejects one). */
const MAX_ALTERNATIVES = 3;

function propose(w: WorkerMeasurements, m: Measurements): Proposal[] {
  if (!w.primaryModel || w.calls < MIN_CALLS) return [];
  const current = estimatedCostPerCall(m, w.primaryModel, w.inputTokensMean, w.outputTokensMean);
  if (current === null || current <= 0) return [];
  const cheaper = m.candidateModels
    .filter((model) => model !== w.primaryModel)
    .map((model) => ({ model, cost: estimatedCostPerCall(m, model, w.inputTokensMean, w.outputTokensMean) }))
    .filter((c): c is { model: string; cost: number } => c.cost !== null && 1 - c.cost / current >= MIN_SAVING);
  const untried = cheaper.filter((c) => !m.triedKeys.has(changeKey(w.worker, { kind: 'model', to: c.model })));
  // The cheapest first (the largest saving); once one was tried and did not ship, the one nearest the
  // current model's price next: price is the only prior on capability here, and the trials per worker are bounded.
  const triedBefore = untried.length < cheaper.length;
  const options = untried.sort((a, b) => (triedBefore ? b.cost - a.cost : a.cost - b.cost));
  // After a failure only the nearest is proposed: the cycle ranks proposals by expected gain, which would put the cheapest first again.
  return options.slice(0, triedBefore ? 1 : MAX_ALTERNATIVES).map((best, i) => proposal(w, current, best, options.slice(i + 1)));
}

function proposal(w: WorkerMeasurements, current: number, best: { model: string; cost: number }, others: Array<{ model: string }>): Proposal {
  const saving = 1 - best.cost / current;
  return {
    optimizer: 'model_selection',
    worker: w.worker,
    title: `${w.worker}: try ${best.model} instead of ${w.primaryModel} (≈${(saving * 100).toFixed(0)}% cheaper per call)`,
    change: { kind: 'model', from: w.primaryModel, to: best.model },
    evidence: {
      calls: w.calls,
      current_model: w.primaryModel,
      mean_input_tokens: w.inputTokensMean,
      mean_output_tokens: w.outputTokensMean,
      estimated_cost_per_call_now: current,
      estimated_cost_per_call_candidate: best.cost,
      quality_now: w.quality,
      other_candidates: others.map((o) => o.model),
    },
    expectedGain: { metric: 'cost', relative: -saving, description: `same tokens priced at ${best.model}: $${best.cost.toPrecision(3)} vs $${current.toPrecision(3)} per call, if quality holds` },
    // Whether quality holds is unknown until tested.
    confidence: 0.5,
    test: { method: 'replay', primaryMetric: 'cost' },
    apply: { override: { model: best.model }, edit: { kind: 'config', key: 'model', value: best.model } },
  };
}

export const modelSelectionOptimizer: Optimizer = {
  name: 'model_selection',
  propose: (m) => m.workers.flatMap((w) => propose(w, m)),
};
