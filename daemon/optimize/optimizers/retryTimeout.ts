// Retry and timeout tuning from what the calls show: transient failures (429, 5xx, timeouts) that
// reached the application without a retry, and timeouts close to the observed latency tail. These
// are client settings, so the result is a recommendation with the edit.
import { changeKey, wilsonLower, type Measurements, type Optimizer, type Proposal, type WorkerMeasurements } from '../optimizer';

const MIN_CALLS = 30;
const MIN_TRANSIENT_RATE = 0.02;

function retryProposal(w: WorkerMeasurements, m: Measurements): Proposal | null {
  if (w.calls < MIN_CALLS) return null;
  const transient = w.rateLimited + w.timeouts;
  const rate = transient / w.calls;
  // Retries already cover most transient failures when the client resends them.
  if (wilsonLower(transient, w.calls) < MIN_TRANSIENT_RATE / 2 || rate < MIN_TRANSIENT_RATE || w.retried >= transient) return null;
  const change = { kind: 'retry' as const, to: { max_retries: 3, backoff: 'exponential with jitter, honour Retry-After' } };
  if (m.triedKeys.has(changeKey(w.worker, change))) return null;
  return {
    optimizer: 'retry_timeout',
    worker: w.worker,
    title: `${w.worker}: retry transient failures (${(rate * 100).toFixed(1)}% of calls hit 429 or a timeout, ${w.retried} were retried)`,
    change,
    evidence: { calls: w.calls, rate_limited: w.rateLimited, timeouts: w.timeouts, retried: w.retried },
    expectedGain: { metric: 'success', relative: rate, description: `up to ${transient} failed calls in the window would have succeeded on a retry` },
    confidence: wilsonLower(transient, w.calls) >= MIN_TRANSIENT_RATE / 2 ? 0.8 : 0.5,
    test: { method: 'none', primaryMetric: 'latencyMs' },
    apply: { edit: { kind: 'code', comment: 'flowtune: retry 429/5xx/timeouts up to 3 times with exponential backoff and jitter, honouring Retry-After (openai client: maxRetries: 3)' } },
  };
}

function timeoutProposal(w: WorkerMeasurements, m: Measurements): Proposal | null {
  if (w.calls < MIN_CALLS || w.timeouts === 0 || w.latencyP95Ms === null) return null;
  const timeoutMs = Math.ceil((w.latencyP95Ms * 3) / 1000) * 1000;
  const change = { kind: 'timeout' as const, to: timeoutMs };
  if (m.triedKeys.has(changeKey(w.worker, change))) return null;
  return {
    optimizer: 'retry_timeout',
    worker: w.worker,
    title: `${w.worker}: set the request timeout to ${timeoutMs} ms (3× the p95 latency; ${w.timeouts} calls timed out)`,
    change,
    evidence: { calls: w.calls, timeouts: w.timeouts, latency_p95_ms: w.latencyP95Ms },
    expectedGain: { metric: 'success', relative: w.timeouts / w.calls, description: 'timeouts above the latency tail fail fast and retry instead of hanging' },
    confidence: 0.6,
    test: { method: 'none', primaryMetric: 'latencyMs' },
    apply: { edit: { kind: 'code', comment: `flowtune: timeout ${timeoutMs} ms (openai client: timeout: ${timeoutMs})` } },
  };
}

export const retryTimeoutOptimizer: Optimizer = {
  name: 'retry_timeout',
  propose: (m) => m.workers.flatMap((w) => [retryProposal(w, m), timeoutProposal(w, m)].filter((p): p is Proposal => p !== null)),
};
