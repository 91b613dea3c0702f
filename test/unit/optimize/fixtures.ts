// Measurements built from numbers for optimizer tests: a worker with sensible defaults, overridable.
import { projectConfigSchema, type ProjectConfig } from '../../../shared/config';
import type { Measurements, WorkerMeasurements } from '../../../daemon/optimize/optimizer';

const PRICES: Record<string, { inputPerToken: number; outputPerToken: number }> = {
  'gpt-4o': { inputPerToken: 2.5e-6, outputPerToken: 1e-5 },
  'gpt-4o-mini': { inputPerToken: 1.5e-7, outputPerToken: 6e-7 },
  'gpt-4.1-mini': { inputPerToken: 4e-7, outputPerToken: 1.6e-6 },
};

export function worker(overrides: Partial<WorkerMeasurements> = {}): WorkerMeasurements {
  return {
    worker: 'w',
    config: null,
    calls: 100,
    errors: 0,
    rateLimited: 0,
    timeouts: 0,
    retried: 0,
    runs: 100,
    costUsd: 0.5,
    costPerCall: 0.005,
    latencyMeanMs: 800,
    latencyP95Ms: 1500,
    inputTokensMean: 1000,
    outputTokensMean: 250,
    naturalOutputTokens: [],
    lengthStops: 0,
    maxTokens: null,
    temperature: 0,
    models: [],
    primaryModel: 'gpt-4o',
    duplicate: { rate: 0, requests: 0 },
    quality: 0.9,
    qualityCount: 100,
    systemPrompt: null,
    replayableCalls: 100,
    peakConcurrency: 1,
    override: null,
    source: null,
    ...overrides,
  };
}

export function measurements(workers: WorkerMeasurements[], extra: Partial<Measurements> & { config?: Partial<ProjectConfig> } = {}): Measurements {
  const { config, ...rest } = extra;
  return {
    now: 1_000_000,
    since: 0,
    config: projectConfigSchema.parse(config ?? {}),
    workers,
    traces: [],
    priceOf: (model) => PRICES[model] ?? null,
    candidateModels: Object.keys(PRICES),
    triedKeys: new Set(),
    ...rest,
  };
}
