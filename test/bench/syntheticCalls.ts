// A month of synthetic model calls for the query benchmark: ~20 workers x 3 models x 2 prompt
// versions, in time order (as ingestion writes them), with per-model latency, token and cost
// profiles, ~2% errors (some of them 429s), length stops, and ~1 KB of prompt and output text.
import type { CallRecord } from '../../daemon/store/records';
import { createRng, proseText, type Rng } from './random';

export const SYNTHETIC_WORKERS: readonly string[] = Array.from({ length: 20 }, (_, i) => `worker_${String(i + 1).padStart(2, '0')}`);
export const SYNTHETIC_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini'] as const;
export const SYNTHETIC_PROMPT_VERSIONS = ['v1', 'v2'] as const;

interface ModelProfile {
  medianLatencyMs: number;
  inputPerMillion: number;
  outputPerMillion: number;
}

const MODEL_PROFILES: Record<string, ModelProfile> = {
  'gpt-4o-mini': { medianLatencyMs: 900, inputPerMillion: 0.15, outputPerMillion: 0.6 },
  'gpt-4o': { medianLatencyMs: 1800, inputPerMillion: 2.5, outputPerMillion: 10 },
  'gpt-4.1-mini': { medianLatencyMs: 1200, inputPerMillion: 0.4, outputPerMillion: 1.6 },
};

export interface SyntheticCallOptions {
  total: number;
  seed: number;
  /** Calls are spread evenly over [endMs - days, endMs). */
  endMs: number;
  days: number;
  /** Calls per run (runs are created as stubs by the writer). */
  callsPerRun?: number;
}

/** Yields the calls in batches (time order), so a million calls never sit in memory at once. */
export function* syntheticCallBatches(options: SyntheticCallOptions, batchSize: number): Generator<CallRecord[]> {
  const rng = createRng(options.seed);
  // A pool of texts keeps generation cheap; the store gets ~1 KB per call like real traffic.
  const inputs = Array.from({ length: 512 }, () => proseText(rng, 760));
  const outputs = Array.from({ length: 512 }, () => proseText(rng, 260));
  const spanMs = options.days * 86_400_000;
  const start = options.endMs - spanMs;
  const callsPerRun = options.callsPerRun ?? 8;
  let runId = '';
  let batch: CallRecord[] = [];
  for (let i = 0; i < options.total; i++) {
    if (i % callsPerRun === 0) runId = rng.hex(16);
    const startedAt = start + ((i + rng.next()) / options.total) * spanMs;
    batch.push(syntheticCall(rng, runId, startedAt, inputs, outputs));
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function syntheticCall(rng: Rng, runId: string, startedAt: number, inputs: string[], outputs: string[]): CallRecord {
  const worker = SYNTHETIC_WORKERS[rng.int(SYNTHETIC_WORKERS.length)];
  const model = SYNTHETIC_MODELS[rng.int(SYNTHETIC_MODELS.length)];
  const promptVersion = SYNTHETIC_PROMPT_VERSIONS[rng.int(SYNTHETIC_PROMPT_VERSIONS.length)];
  const profile = MODEL_PROFILES[model];
  const traceId = rng.hex(16);
  const spanId = rng.hex(8);
  const failed = rng.next() < 0.02;
  const rateLimited = failed && rng.next() < 0.4;
  const inputTokens = Math.round(rng.logNormal(600, 0.5));
  const outputTokens = failed ? null : Math.max(1, Math.round(rng.logNormal(150, 0.6)));
  const maxTokens = 1024;
  const cost = (inputTokens * profile.inputPerMillion + (outputTokens ?? 0) * profile.outputPerMillion) / 1e6;
  return {
    id: `${traceId}:${spanId}`,
    runId,
    worker,
    source: 'otlp',
    provider: 'openai',
    operation: 'chat',
    requestModel: model,
    responseModel: `${model}-2024-07-18`,
    temperature: 0.2,
    maxTokens,
    topP: 0.9,
    stream: false,
    inputTokens,
    outputTokens,
    cachedTokens: 0,
    reasoningTokens: 0,
    costUsd: failed ? 0 : cost,
    costSource: 'price_table',
    startedAt,
    latencyMs: rng.logNormal(failed ? profile.medianLatencyMs / 3 : profile.medianLatencyMs, 0.45),
    ttftMs: null,
    finishReason: failed ? null : outputTokens !== null && outputTokens >= maxTokens ? 'length' : 'stop',
    status: failed ? 'error' : 'ok',
    httpStatus: rateLimited ? 429 : failed ? 500 : 200,
    errorType: rateLimited ? 'RateLimitError' : failed ? 'InternalServerError' : null,
    errorMessage: rateLimited ? `429 Rate limit reached for ${model}` : failed ? 'The server had an error while processing your request' : null,
    promptVersion,
    promptFingerprint: null,
    inputText: inputs[rng.int(inputs.length)],
    outputText: failed ? null : outputs[rng.int(outputs.length)],
    traceId,
    spanId,
  };
}
