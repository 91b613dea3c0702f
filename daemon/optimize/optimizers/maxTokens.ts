// max_tokens right-sizing. Lowering: when the outputs that stop on their own all fit far below the
// cap, a cap just above their p99 changes none of them, and bounds what runaway generations (the
// ones that hit the old cap) cost. Raising: when many outputs are cut off (finish_reason=length)
// while natural outputs crowd the cap, the cap is hurting quality.
import { changeKey, quantileSorted, wilsonLower, type Measurements, type Optimizer, type Proposal, type WorkerMeasurements } from '../optimizer';

const MIN_NATURAL_OUTPUTS = 30;
/** Propose a lower cap only when it is at most this share of the current one. */
const MAX_NEW_CAP_SHARE = 0.6;
const LENGTH_RATE_TO_RAISE = 0.05;

/**
 * The cap above the natural p99 with headroom, and above the longest natural output seen (so no
 * output observed to stop on its own would have been cut), rounded up to 16 tokens.
 */
export function rightSizedCap(naturalSorted: readonly number[]): number | null {
  const p99 = quantileSorted(naturalSorted, 0.99);
  const longest = naturalSorted.at(-1);
  if (p99 === null || longest === undefined) return null;
  const withHeadroom = Math.max(p99 * 1.25, p99 + 32, longest + 1);
  return Math.ceil(withHeadroom / 16) * 16;
}

function lowerCap(w: WorkerMeasurements, m: Measurements): Proposal | null {
  if (w.maxTokens === null || w.naturalOutputTokens.length < MIN_NATURAL_OUTPUTS) return null;
  const cap = rightSizedCap(w.naturalOutputTokens);
  if (cap === null || cap > w.maxTokens * MAX_NEW_CAP_SHARE) return null;
  const change = { kind: 'max_tokens' as const, from: w.maxTokens, to: cap };
  if (m.triedKeys.has(changeKey(w.worker, change))) return null;
  const n = w.naturalOutputTokens.length;
  const wouldBeCut = w.naturalOutputTokens.filter((t) => t > cap).length;
  // Upper 95% bound of the share of natural outputs the new cap would cut.
  const cutUpper = 1 - wilsonLower(n - wouldBeCut, n);
  const price = w.primaryModel ? m.priceOf(w.primaryModel) : null;
  const savedTokens = w.lengthStops * (w.maxTokens - cap);
  const savedUsd = price ? savedTokens * price.outputPerToken : 0;
  const relative = w.costUsd > 0 ? -savedUsd / w.costUsd : 0;
  const p99 = quantileSorted(w.naturalOutputTokens, 0.99);
  return {
    optimizer: 'max_tokens',
    worker: w.worker,
    title: `${w.worker}: lower max_tokens ${w.maxTokens} → ${cap} (natural outputs p99 ${p99} tokens)`,
    change,
    evidence: {
      natural_outputs: n,
      natural_p99_tokens: p99,
      would_be_cut: wouldBeCut,
      cut_share_upper_95: cutUpper,
      length_stops: w.lengthStops,
      calls: w.calls,
      current_max_tokens: w.maxTokens,
      saved_usd_in_window: savedUsd,
    },
    expectedGain: {
      metric: 'cost',
      relative,
      description: `${w.lengthStops} runaway outputs in the window hit the ${w.maxTokens}-token cap; at ${cap} they would have cost $${savedUsd.toFixed(4)} less; no natural output is longer`,
    },
    confidence: Math.max(0, 1 - cutUpper),
    // By construction no output observed to stop on its own changes: applied on the evidence, then watched.
    test: { method: 'none', primaryMetric: 'cost' },
    apply: { override: { max_tokens: cap }, edit: { kind: 'config', key: 'max_tokens', value: cap } },
  };
}

function raiseCap(w: WorkerMeasurements, m: Measurements): Proposal | null {
  if (w.maxTokens === null || w.calls < MIN_NATURAL_OUTPUTS) return null;
  const lengthRate = w.lengthStops / w.calls;
  const p90 = quantileSorted(w.naturalOutputTokens, 0.9);
  if (lengthRate < LENGTH_RATE_TO_RAISE || p90 === null || p90 < 0.75 * w.maxTokens) return null;
  const cap = Math.ceil((w.maxTokens * 2) / 16) * 16;
  const change = { kind: 'max_tokens' as const, from: w.maxTokens, to: cap };
  if (m.triedKeys.has(changeKey(w.worker, change))) return null;
  return {
    optimizer: 'max_tokens',
    worker: w.worker,
    title: `${w.worker}: raise max_tokens ${w.maxTokens} → ${cap} (${(lengthRate * 100).toFixed(1)}% of outputs cut off)`,
    change,
    evidence: { length_stops: w.lengthStops, calls: w.calls, length_rate: lengthRate, natural_p90_tokens: p90 },
    expectedGain: { metric: 'quality', relative: lengthRate, description: `${w.lengthStops} of ${w.calls} outputs ended at the cap (finish_reason=length)` },
    confidence: wilsonLower(w.lengthStops, w.calls) > 0.02 ? 0.8 : 0.5,
    test: { method: 'replay', primaryMetric: 'quality' },
    apply: { override: { max_tokens: cap }, edit: { kind: 'config', key: 'max_tokens', value: cap } },
  };
}

export const maxTokensOptimizer: Optimizer = {
  name: 'max_tokens',
  propose(m) {
    return m.workers.flatMap((w) => [lowerCap(w, m), raiseCap(w, m)].filter((p): p is Proposal => p !== null));
  },
};
