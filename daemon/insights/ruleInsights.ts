// Without an analysis model, the same answer comes from the rule-based optimizers: their proposals for
// the worker, in the insights shape, with the optimizer's own measured evidence. Pure.
import type { InsightCategory, InsightMetric, InsightParameter, InsightRecommendation, WorkerStatistics } from '../../shared/http/insights';
import type { Measurements, Optimizer, Proposal } from '../optimize/optimizer';
import { evidenceFor } from './workerStatistics';

const PARAMETER: Record<Proposal['change']['kind'], InsightParameter> = {
  model: 'model',
  max_tokens: 'max_tokens',
  temperature: 'temperature',
  cache: 'cache_ttl_seconds',
  prompt: 'prompt',
  parallelize: 'other',
  retry: 'retries',
  timeout: 'timeout_ms',
  concurrency: 'concurrency',
};

function categoryOf(metric: Proposal['test']['primaryMetric']): InsightCategory {
  return metric === 'cost' ? 'cost' : metric === 'latencyMs' ? 'speed' : 'quality';
}

function metricOf(metric: string, category: InsightCategory): InsightMetric {
  if (metric === 'cost') return 'cost_per_call';
  if (metric === 'latencyMs' || metric === 'latency') return 'latency_ms';
  if (metric === 'quality') return 'quality';
  if (metric === 'success' || metric === 'errors' || metric === 'success_rate') return 'success_rate';
  return category === 'cost' ? 'cost_per_call' : category === 'speed' ? 'latency_ms' : 'quality';
}

function valueText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The optimizer's evidence entries that are plain figures (lists and objects stay in the recommendation). */
function plainEvidence(evidence: Record<string, unknown>): Record<string, number | string | null> {
  const out: Record<string, number | string | null> = {};
  for (const [key, value] of Object.entries(evidence)) {
    if (typeof value === 'number' || typeof value === 'string' || value === null) out[key] = typeof value === 'string' ? value.slice(0, 200) : value;
  }
  return out;
}

export function ruleRecommendation(p: Proposal, stats: WorkerStatistics, index: number): InsightRecommendation {
  const category = categoryOf(p.test.primaryMetric);
  return {
    id: `rule-${index + 1}`,
    category,
    title: p.title,
    parameter: PARAMETER[p.change.kind],
    current_value: valueText(p.change.from),
    new_value: valueText(p.change.to) ?? '',
    rationale: p.expectedGain.description,
    expected_improvement: { metric: metricOf(p.expectedGain.metric, category), relative_change: p.expectedGain.relative, description: p.expectedGain.description },
    confidence: p.confidence,
    evidence: { ...evidenceFor(category, stats), ...plainEvidence(p.evidence) },
    hypothesis: { id: null, state: 'pending', note: `the ${p.optimizer} optimizer proposes this itself; the next optimization cycle tests it` },
  };
}

export function ruleRecommendations(optimizers: readonly Optimizer[], measurements: Measurements, stats: WorkerStatistics): InsightRecommendation[] {
  const proposals = optimizers.flatMap((o) => o.propose(measurements)).filter((p) => p.worker === stats.worker);
  return proposals.map((p, i) => ruleRecommendation(p, stats, i));
}

/** What a recommendation changes: its parameter (`other` covers unrelated changes, told apart by title). */
function changeTarget(r: InsightRecommendation): string {
  return r.parameter === 'other' ? `other:${r.title}` : r.parameter;
}

/** `first`, then the recommendations of `then` on what `first` does not change (ids kept unique). */
export function mergeRecommendations(first: readonly InsightRecommendation[], then: readonly InsightRecommendation[]): InsightRecommendation[] {
  const covered = new Set(first.map(changeTarget));
  const ids = new Set(first.map((r) => r.id));
  return [...first, ...then.filter((r) => !covered.has(changeTarget(r)) && !ids.has(r.id))];
}
