// Rule-based analysis of a worker's figures — latency level and spread, failure rate, cost per call,
// quality level and spread — for when no analysis model is configured (and beside the model's answer
// when one is). Each rule states a norm, measures how sure the figures are that the worker is past it,
// and recommends the standard remedy with the evidence and the expected effect computed from the same
// figures. Pure: numbers in, recommendations out.
//
// Confidence is the posterior probability that the problem a rule addresses is real, given the figures:
// Beta(1 + k, 1 + n − k) for rates and for "a call exceeds the norm", the chi-square law of the sample
// variance for spread. When a rate arrives without a count (the request's success_rate), it is taken as
// measured over as many calls as the other figures cover — a small sample claims little.
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import type { InsightRecommendation, WorkerStatistics } from '../../shared/http/insights';
import { evidenceFor } from './workerStatistics';

/** The norms the rules compare against: service-level expectations, not fitted to any data. */
export const FIGURE_NORMS = {
  /** Hosted model APIs answer ~99.9% of calls; above 1% failing, the application must absorb failures. */
  errorRate: 0.01,
  /** A single model call a user waits for beyond 10 s is slow by any interactive standard. */
  slowCallMs: 10_000,
  /** p95 more than twice p50: the slow tail, not the typical call, sets the pipeline's pace. */
  tailRatio: 2,
  /** A cent per call: at a thousand calls a day, $300 a month for one step. */
  costPerCallUsd: 0.01,
  /** Repeats worth a cache: one request in twenty identical to an earlier one. */
  repeatRate: 0.05,
  /** A standard deviation of 0.05 on a 0..1 score: outputs visibly differ in quality from call to call. */
  qualitySd: 0.05,
} as const;

/** Retries when failures are transient: r retries turn an independent failure rate e into e^(r+1). */
const RETRIES = 2;

/** The raw samples behind a request's figures (the store path has none: its spread comes from quantiles). */
export interface FigureSamples {
  executionTimes?: readonly number[];
  qualityScores?: readonly number[];
}

interface Rule {
  /** Probability that the problem is real (0..1). */
  confidence: number;
  recommendation: Omit<InsightRecommendation, 'id' | 'confidence' | 'hypothesis'>;
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Sample standard deviation (n − 1), or null below two values. */
export function sampleSd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

/** P(rate > norm) under Beta(1 + k, 1 + n − k), k = rate · n (fractional counts are a valid update). */
export function probRateAbove(rate: number, n: number, norm: number): number {
  const k = rate * n;
  return 1 - betaCdf(norm, 1 + k, 1 + n - k);
}

/** P(σ > σ0) from a sample sd s over n values: (n − 1)s²/σ0² against χ²(n − 1). */
export function probSdAbove(s: number, n: number, sigma0: number): number {
  return chisquareCdf(((n - 1) * s * s) / (sigma0 * sigma0), n - 1);
}

/** P(a typical call exceeds the threshold): P(q > 1/2) with q ~ Beta(1 + k, 1 + n − k), k calls above it. */
export function probTypicalAbove(values: readonly number[], threshold: number): number {
  const k = values.filter((v) => v > threshold).length;
  return 1 - betaCdf(0.5, 1 + k, 1 + values.length - k);
}

function round(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function failureRules(stats: WorkerStatistics, sampleCount: number): Rule[] {
  const e = stats.error_rate;
  if (e === null || e <= FIGURE_NORMS.errorRate) return [];
  const n = stats.calls > 0 ? stats.calls : Math.max(1, sampleCount);
  const confidence = probRateAbove(e, n, FIGURE_NORMS.errorRate);
  const after = 1 - e ** (RETRIES + 1);
  const evidence = { ...evidenceFor('quality', stats), error_rate_norm: FIGURE_NORMS.errorRate, calls_behind_rate: round(n, 0) };
  const rules: Rule[] = [
    {
      confidence,
      recommendation: {
        category: 'quality',
        title: `Retry failed calls (${RETRIES}×, exponential backoff with jitter)`,
        parameter: 'retries',
        current_value: null,
        new_value: String(RETRIES),
        rationale: `${(e * 100).toFixed(1)}% of calls fail, above the ${FIGURE_NORMS.errorRate * 100}% a pipeline should absorb. Transient failures (429, 5xx, timeouts, dropped connections) succeed on a retry; retry those only, with exponential backoff and jitter, and honour Retry-After.`,
        expected_improvement: {
          metric: 'success_rate',
          relative_change: round(after / (1 - e) - 1),
          description: `success rate ${(1 - e).toFixed(3)} → ${after.toFixed(4)} if the failures are independent and transient (e^${RETRIES + 1}); errors that repeat on retry (4xx, bad input) need their cause fixed instead — see GET /v1/failures`,
        },
        evidence,
      },
    },
  ];
  return rules;
}

function timeoutRule(stats: WorkerStatistics, failing: boolean): Rule | null {
  const { p50, p95, p99 } = stats.latency_ms;
  if (p50 === null || p95 === null || p50 <= 0) return null;
  const tail = p95 / p50;
  if (!failing && tail <= FIGURE_NORMS.tailRatio) return null;
  // Twice the p95: almost no healthy call is cut, a hung one is retried instead of waited for.
  const timeoutMs = Math.ceil((2 * p95) / 1000) * 1000;
  return {
    // Failing: whether hung calls cause the failures is unknown, an even prior (the timeout tests it).
    // A long tail: the share of a p95 call's time that is excess over the typical call.
    confidence: failing ? 0.5 : 1 - 1 / tail,
    recommendation: {
      category: 'speed',
      title: `Set a request timeout of ${timeoutMs / 1000} s`,
      parameter: 'timeout_ms',
      current_value: null,
      new_value: String(timeoutMs),
      rationale: failing
        ? `Some failures may be calls that hang; a timeout at twice the p95 (${Math.round(p95)} ms) cuts those short so that the retry runs instead of the user waiting.`
        : `The slow tail is ${tail.toFixed(1)}× the median (p95 ${Math.round(p95)} ms vs p50 ${Math.round(p50)} ms); a timeout at twice the p95 turns the worst calls into retries.`,
      expected_improvement: {
        metric: 'latency_ms',
        relative_change: p99 !== null && p99 > timeoutMs ? round(timeoutMs / p99 - 1) : 0,
        description: `no call waits longer than ${timeoutMs / 1000} s before it is retried${p99 !== null ? ` (p99 now ${Math.round(p99)} ms)` : ''}`,
      },
      evidence: { ...evidenceFor('speed', stats), tail_ratio_p95_p50: round(tail, 3), timeout_ms: timeoutMs },
    },
  };
}

function slowRule(stats: WorkerStatistics, samples: FigureSamples): Rule | null {
  const { p50 } = stats.latency_ms;
  if (p50 === null || p50 <= FIGURE_NORMS.slowCallMs) return null;
  const times = samples.executionTimes ?? [];
  const confidence = times.length > 0 ? probTypicalAbove(times, FIGURE_NORMS.slowCallMs) : 0.5 + 0.5 * (1 - FIGURE_NORMS.slowCallMs / p50);
  const outTokens = stats.tokens.output_per_call;
  const tokensPerSecond = outTokens !== null && outTokens > 0 ? outTokens / (p50 / 1000) : null;
  const expensive = stats.cost.per_call_usd !== null && stats.cost.per_call_usd > FIGURE_NORMS.costPerCallUsd;
  return {
    confidence,
    recommendation: {
      category: expensive ? 'cost' : 'speed',
      title: expensive ? 'Test a smaller, cheaper model for this worker' : 'Test a faster model for this worker',
      parameter: 'model',
      current_value: stats.primary_model,
      new_value: 'a smaller model of the same family, tested by live split against the current one',
      rationale: `The median call takes ${(p50 / 1000).toFixed(1)} s${expensive ? ` and costs $${stats.cost.per_call_usd?.toFixed(4)}` : ''}. A model call's time is mostly output tokens over the model's generation speed${tokensPerSecond !== null ? ` (${tokensPerSecond.toFixed(0)} tokens/s here)` : ''}; a smaller model generates several times faster and costs a fraction per token. Whether this worker's quality holds on it is what the experiment decides. Also stream the response if a user waits for it, and lower max_tokens if outputs run long.`,
      expected_improvement: {
        metric: expensive ? 'cost_per_call' : 'latency_ms',
        relative_change: -0.5,
        description: 'an estimate before any experiment (small models of a family typically halve latency and cut per-token prices by 5–15×); the live split measures the real figure and quality',
      },
      evidence: { ...evidenceFor('speed', stats), ...(expensive ? { cost_per_call_usd: stats.cost.per_call_usd, cost_norm_usd: FIGURE_NORMS.costPerCallUsd } : {}), slow_call_norm_ms: FIGURE_NORMS.slowCallMs, output_tokens_per_second: tokensPerSecond === null ? null : round(tokensPerSecond, 1) },
    },
  };
}

function cacheRule(stats: WorkerStatistics): Rule | null {
  const cost = stats.cost.per_call_usd;
  const dup = stats.duplicate_rate;
  // How often requests repeat is known only when the proxy measured it; without that, nothing to say.
  if (cost === null || dup === null || stats.calls === 0 || dup <= FIGURE_NORMS.repeatRate) return null;
  return {
    confidence: probRateAbove(dup, stats.calls, FIGURE_NORMS.repeatRate),
    recommendation: {
      category: 'cost',
      title: 'Cache exact repeats of this worker’s requests',
      parameter: 'cache_ttl_seconds',
      current_value: null,
      new_value: '3600',
      rationale: `${(dup * 100).toFixed(1)}% of this worker’s requests repeat an earlier identical one; at $${cost.toFixed(4)} a call, each cache hit saves that much and answers in milliseconds.`,
      expected_improvement: { metric: 'cost_per_call', relative_change: round(-dup), description: `cost per call falls by the repeat share (${(dup * 100).toFixed(1)}%)` },
      evidence: { ...evidenceFor('cost', stats), repeat_rate_norm: FIGURE_NORMS.repeatRate },
    },
  };
}

function qualityRule(stats: WorkerStatistics, samples: FigureSamples): Rule | null {
  const scores = samples.qualityScores ?? [];
  const s = sampleSd(scores);
  if (s === null || s <= FIGURE_NORMS.qualitySd) return null;
  const m = mean(scores);
  const floor = m - s;
  const low = scores.filter((q) => q < floor);
  const share = low.length / scores.length;
  // Regenerating the outputs below the floor once, with the replacement drawn from the same
  // distribution, raises the mean by share × (mean − mean of the low ones), at share extra calls.
  const gain = low.length > 0 ? share * (m - mean(low)) : 0;
  return {
    confidence: probSdAbove(s, scores.length, FIGURE_NORMS.qualitySd),
    recommendation: {
      category: 'quality',
      title: `Guard quality: score each output and regenerate those below ${floor.toFixed(3)}`,
      parameter: 'other',
      current_value: null,
      new_value: `evaluator with a floor of ${floor.toFixed(3)} (mean − 1 sd); regenerate once below it`,
      rationale: `Quality swings from ${Math.min(...scores).toFixed(2)} to ${Math.max(...scores).toFixed(2)} (sd ${s.toFixed(3)} around ${m.toFixed(3)}): some outputs are much worse than the typical one. Declare an evaluator for this worker (or post feedback per call) so that Flowtune measures every output; regenerate the ones below the floor${stats.temperature !== null && stats.temperature > 0 ? `, and test a lower temperature (now ${stats.temperature}) to narrow the spread` : ''}. With a quality signal per call, experiments on this worker can also guard quality.`,
      expected_improvement: {
        metric: 'quality',
        relative_change: round(gain / m),
        description: `mean quality ${m.toFixed(3)} → ${(m + gain).toFixed(3)} if ${(share * 100).toFixed(0)}% of outputs are regenerated once (at ${(share * 100).toFixed(0)}% more calls)`,
      },
      evidence: { ...evidenceFor('quality', stats), quality_sd: round(s), quality_sd_norm: FIGURE_NORMS.qualitySd, quality_min: Math.min(...scores), quality_max: Math.max(...scores), share_below_floor: round(share) },
    },
  };
}

/** The rules' recommendations for a worker's figures, most confident first. */
export function figureRecommendations(stats: WorkerStatistics, samples: FigureSamples = {}): InsightRecommendation[] {
  const sampleCount = Math.max(samples.executionTimes?.length ?? 0, samples.qualityScores?.length ?? 0);
  const failures = failureRules(stats, sampleCount);
  const rules = [...failures, timeoutRule(stats, failures.length > 0), slowRule(stats, samples), cacheRule(stats), qualityRule(stats, samples)].filter((r): r is Rule => r !== null);
  return rules
    .sort((a, b) => b.confidence - a.confidence)
    .map((r, i) => ({
      id: `figures-${i + 1}`,
      ...r.recommendation,
      confidence: round(r.confidence),
      hypothesis: { id: null, state: 'not_testable', note: 'a rule on the figures: apply it in the application, or let the optimization cycle test its proxy-side counterpart' },
    }));
}

/** What the rules cannot see and a configured analysis model would add. */
export const MODEL_WOULD_ADD =
  'A configured analysis model (insights.model, or judge.model, in flowtune.config.json) would add what numbers alone cannot: a reading of the worker’s prompt and failure messages, a named model to move to among the priced candidates, and prompt rewrites; its suggestions are tested like any other hypothesis, and these figures stay the evidence.';
