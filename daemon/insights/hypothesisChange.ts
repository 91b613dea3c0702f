// Turns a model's suggestion into a change an experiment can test — a proxy override of model,
// max_tokens or temperature — or says why it cannot be tested. Pure.
import type { ProposedChange } from '../../shared/domain';
import type { InsightMetric, ModelRecommendation, WorkerStatistics } from '../../shared/http/insights';

export type PrimaryMetric = 'cost' | 'latencyMs' | 'quality';

export type TestableChange =
  | {
      testable: true;
      change: ProposedChange;
      override: { model?: string; max_tokens?: number; temperature?: number };
      primaryMetric: PrimaryMetric;
    }
  | { testable: false; note: string };

const MODEL_NAME = /^[A-Za-z0-9][\w.:/@-]{0,199}$/;

export function primaryMetricOf(metric: InsightMetric): PrimaryMetric {
  return metric === 'cost_per_call' ? 'cost' : metric === 'latency_ms' ? 'latencyMs' : 'quality';
}

/** The number in a value such as "512", "512 tokens" or "0.2"; null when there is none. */
function numberIn(text: string): number | null {
  const match = /-?\d+(?:\.\d+)?/.exec(text);
  return match ? Number(match[0]) : null;
}

export function testableChange(rec: ModelRecommendation, stats: WorkerStatistics): TestableChange {
  const primaryMetric = primaryMetricOf(rec.expected_improvement.metric);
  const value = rec.new_value.trim();
  if (stats.calls === 0) return { testable: false, note: 'no recorded calls of this worker to test against' };
  if (rec.parameter === 'model') {
    if (!MODEL_NAME.test(value)) return { testable: false, note: `"${value.slice(0, 60)}" is not a model name` };
    if (value === stats.primary_model) return { testable: false, note: 'the worker already uses this model' };
    return { testable: true, change: { kind: 'model', from: stats.primary_model, to: value }, override: { model: value }, primaryMetric };
  }
  if (rec.parameter === 'max_tokens') {
    const tokens = numberIn(value);
    if (tokens === null || !Number.isInteger(tokens) || tokens < 1 || tokens > 1_000_000) return { testable: false, note: `"${value.slice(0, 60)}" is not a token limit` };
    if (tokens === stats.max_tokens) return { testable: false, note: 'the worker already uses this max_tokens' };
    return { testable: true, change: { kind: 'max_tokens', from: stats.max_tokens, to: tokens }, override: { max_tokens: tokens }, primaryMetric };
  }
  if (rec.parameter === 'temperature') {
    const temperature = numberIn(value);
    if (temperature === null || temperature < 0 || temperature > 2) return { testable: false, note: `"${value.slice(0, 60)}" is not a temperature in [0, 2]` };
    if (temperature === stats.temperature) return { testable: false, note: 'the worker already uses this temperature' };
    return { testable: true, change: { kind: 'temperature', from: stats.temperature, to: temperature }, override: { temperature }, primaryMetric };
  }
  return { testable: false, note: `a ${rec.parameter} change has no experiment here; it is advice for a human to weigh` };
}
