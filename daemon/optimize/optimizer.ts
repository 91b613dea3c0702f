// The one small interface every optimizer implements: read the measurements, propose changes with
// their evidence, expected gain and confidence, and say how each is tested and how it applies.
// Optimizers are pure: the measurements are gathered once per cycle (measurements.ts).
import type { ProjectConfig, WorkerConfig } from '../../shared/config';
import type { ProposedChange } from '../../shared/domain';
import type { OverrideSpec } from '../../shared/http/overrides';

export interface ModelUsage {
  model: string;
  calls: number;
  costPerCall: number;
  inputTokensMean: number;
  outputTokensMean: number;
  latencyMeanMs: number | null;
  quality: number | null;
}

/** What one worker did over the analysis window. */
export interface WorkerMeasurements {
  worker: string;
  config: WorkerConfig | null;
  calls: number;
  errors: number;
  rateLimited: number;
  timeouts: number;
  /** Calls the client sent again (x-stainless-retry-count > 0). */
  retried: number;
  /** Runs that contained at least one call of this worker. */
  runs: number;
  costUsd: number;
  costPerCall: number;
  latencyMeanMs: number | null;
  latencyP95Ms: number | null;
  inputTokensMean: number;
  outputTokensMean: number;
  /** Output tokens of calls that stopped on their own (finish_reason stop), ascending. */
  naturalOutputTokens: number[];
  lengthStops: number;
  /** The max_tokens most calls were sent with (after overrides), or null. */
  maxTokens: number | null;
  temperature: number | null;
  models: ModelUsage[];
  /** The model most calls used. */
  primaryModel: string | null;
  /** Share of requests repeating an earlier identical one (proxy), over how many requests. */
  duplicate: { rate: number; requests: number };
  quality: number | null;
  qualityCount: number;
  /** The latest recorded system prompt, when content is stored. */
  systemPrompt: string | null;
  /** How many recorded calls have their full input (replayable). */
  replayableCalls: number;
  /** Most calls of this worker in flight at once in the window. */
  peakConcurrency: number;
  override: OverrideSpec | null;
  source: { file: string; line: number } | null;
}

/** One run's worker executions in time, from steps (or from calls when a run has no steps). */
export interface RunTrace {
  runId: string;
  spans: Array<{ worker: string; startedAt: number; endedAt: number }>;
}

export interface ModelPriceView {
  inputPerToken: number;
  outputPerToken: number;
}

export interface Measurements {
  now: number;
  since: number;
  config: ProjectConfig;
  workers: WorkerMeasurements[];
  traces: RunTrace[];
  /** Price per token of a model, or null when unknown. */
  priceOf(model: string): ModelPriceView | null;
  /** Models the workers could move to (seen in the store or configured). */
  candidateModels: string[];
  /** Change keys that were already tried and rejected or rolled back recently: not proposed again. */
  triedKeys: ReadonlySet<string>;
}

export type TestMethod = 'replay' | 'split' | 'none';

/** Where the edit for a recommendation goes: a key of the worker's config entry, or a note at the call site. */
export type EditTarget =
  | { kind: 'config'; key: string; value: unknown }
  | { kind: 'code'; comment: string };

export interface Proposal {
  optimizer: string;
  worker: string | null;
  title: string;
  change: ProposedChange;
  evidence: Record<string, unknown>;
  expectedGain: { metric: string; relative: number; description: string };
  /** Confidence before any experiment, from the measurements alone (0..1). */
  confidence: number;
  test: { method: TestMethod; primaryMetric: 'cost' | 'latencyMs' | 'quality' };
  /** Ships only on an experiment's verdict, never on its own evidence (a model's hypothesis). */
  requiresExperiment?: boolean;
  apply: {
    /** Fields to set on the worker's proxy override (null removes a field). */
    override?: Partial<Record<'model' | 'max_tokens' | 'temperature' | 'prompt_variant', string | number | null>> & {
      cache?: { enabled: boolean; ttl_seconds: number } | null;
    };
    /** A prompt variant to store before the override names it. */
    promptVariant?: { id: string; systemPrompt: string; description: string };
    edit?: EditTarget;
  };
}

export interface Optimizer {
  readonly name: string;
  propose(measurements: Measurements): Proposal[];
}

/** A stable key per worker and change, so a rejected change is not proposed again. */
export function changeKey(worker: string | null, change: ProposedChange): string {
  return `${worker ?? '*'}|${change.kind}|${JSON.stringify(change.to)}`;
}

/** Wilson score lower bound of a proportion (95% by default): evidence that scales with the count. */
export function wilsonLower(successes: number, n: number, z = 1.959964): number {
  if (n <= 0) return 0;
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = p + (z * z) / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return Math.max(0, (centre - margin) / denom);
}

export function quantileSorted(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1 < 0 ? 0 : Math.ceil(q * sorted.length) - 1)];
}
