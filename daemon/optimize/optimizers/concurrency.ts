// Concurrency limits: a worker that is rate limited while running many calls at once gets a
// recommended client-side limit below its observed peak (the proxy's adaptive gate already backs
// off per model; this makes the application stop queueing work it cannot get served).
import { changeKey, wilsonLower, type Measurements, type Optimizer, type Proposal, type WorkerMeasurements } from '../optimizer';

const MIN_CALLS = 30;
const MIN_RATE_LIMITED = 0.03;

export function recommendedLimit(peak: number, rateLimitedShare: number): number {
  return Math.max(1, Math.floor(peak * Math.min(0.8, 1 - rateLimitedShare)));
}

function propose(w: WorkerMeasurements, m: Measurements): Proposal | null {
  if (w.calls < MIN_CALLS || w.peakConcurrency < 2) return null;
  const share = w.rateLimited / w.calls;
  // A couple of 429s in a small window is noise: the lower 95% bound must clear the threshold too.
  if (share < MIN_RATE_LIMITED || wilsonLower(w.rateLimited, w.calls) < MIN_RATE_LIMITED / 2) return null;
  const limit = recommendedLimit(w.peakConcurrency, share);
  const change = { kind: 'concurrency' as const, from: w.peakConcurrency, to: limit };
  if (m.triedKeys.has(changeKey(w.worker, change))) return null;
  return {
    optimizer: 'concurrency',
    worker: w.worker,
    title: `${w.worker}: limit concurrency to ${limit} (peak ${w.peakConcurrency} in flight, ${(share * 100).toFixed(1)}% rate limited)`,
    change,
    evidence: { calls: w.calls, rate_limited: w.rateLimited, peak_concurrency: w.peakConcurrency },
    expectedGain: { metric: 'success', relative: share, description: `fewer 429s: ${w.rateLimited} calls were rate limited in the window` },
    confidence: wilsonLower(w.rateLimited, w.calls) >= MIN_RATE_LIMITED / 2 ? 0.75 : 0.5,
    test: { method: 'none', primaryMetric: 'latencyMs' },
    apply: { edit: { kind: 'config', key: 'concurrency', value: limit } },
  };
}

export const concurrencyOptimizer: Optimizer = {
  name: 'concurrency',
  propose: (m) => m.workers.map((w) => propose(w, m)).filter((p): p is Proposal => p !== null),
};
