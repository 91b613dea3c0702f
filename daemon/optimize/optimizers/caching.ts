// Response caching from the measured duplicate rate: every request the proxy sees is hashed
// (cache on or off), so the share of exact repeats is what a cache would have served for free.
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { changeKey, wilsonLower, type Measurements, type Optimizer, type Proposal, type WorkerMeasurements } from '../optimizer';

const MIN_REQUESTS = 40;
/** Below this duplicate rate a cache is not worth its staleness risk. */
const MIN_USEFUL_RATE = 0.05;
/** Sampled outputs (high temperature) are frozen by a cache: only recommend, never apply alone. */
const MAX_TEMPERATURE_TO_APPLY = 0.5;
const DEFAULT_TTL_SECONDS = 3600;

function propose(w: WorkerMeasurements, m: Measurements): Proposal | null {
  const { rate, requests } = w.duplicate;
  if (requests < MIN_REQUESTS || w.override?.cache?.enabled) return null;
  const duplicates = Math.round(rate * requests);
  const lower = wilsonLower(duplicates, requests);
  if (lower < MIN_USEFUL_RATE) return null;
  const change = { kind: 'cache' as const, from: { enabled: false }, to: { enabled: true, ttl_seconds: DEFAULT_TTL_SECONDS } };
  if (m.triedKeys.has(changeKey(w.worker, change))) return null;
  const se = Math.sqrt(Math.max(rate * (1 - rate), 1e-9) / requests);
  const sampled = (w.temperature ?? 0) > MAX_TEMPERATURE_TO_APPLY;
  const confidence = normalCdf((rate - MIN_USEFUL_RATE) / se, 0, 1) * (sampled ? 0.5 : 1);
  return {
    optimizer: 'caching',
    worker: w.worker,
    title: `${w.worker}: cache responses (${(rate * 100).toFixed(0)}% of requests repeat an earlier one)`,
    change,
    evidence: { requests, duplicate_rate: rate, duplicate_rate_lower_95: lower, temperature: w.temperature, cost_usd_in_window: w.costUsd },
    expectedGain: {
      metric: 'cost',
      relative: -rate,
      description: `a cache would have answered ${duplicates} of ${requests} requests (saving about $${(rate * w.costUsd).toFixed(4)} and their latency)`,
    },
    confidence,
    // Identical requests get the identical recorded answer: nothing to replay; applied and watched.
    test: { method: 'none', primaryMetric: 'cost' },
    apply: { override: { cache: { enabled: true, ttl_seconds: DEFAULT_TTL_SECONDS } }, edit: { kind: 'config', key: 'cache', value: { enabled: true, ttl_seconds: DEFAULT_TTL_SECONDS } } },
  };
}

export const cachingOptimizer: Optimizer = {
  name: 'caching',
  propose: (m) => m.workers.map((w) => propose(w, m)).filter((p): p is Proposal => p !== null),
};
