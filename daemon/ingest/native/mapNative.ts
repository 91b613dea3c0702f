// Turns a validated native ingest request into the store's records.
import { randomUUID } from 'node:crypto';
import type { NativeIngest } from '../../../shared/http/nativeIngest';
import type { CallRecord, IngestBatch } from '../../store/records';

export interface NativeMappingOptions {
  /** Fingerprints a prompt template or system prompt; injected so the mapping stays pure. */
  fingerprint?: (templateOrSystemPrompt: string) => string;
  now?: number;
}

export function mapNativeIngest(request: NativeIngest, options: NativeMappingOptions = {}): IngestBatch {
  const now = options.now ?? Date.now();
  const batch: IngestBatch = { runs: [], steps: [], calls: [], scores: [] };
  for (const run of request.runs) {
    batch.runs.push({
      id: run.id,
      name: run.name ?? null,
      source: 'native',
      startedAt: run.started_at,
      endedAt: run.ended_at ?? null,
      status: run.status,
      attributes: run.attributes ?? null,
    });
  }
  const stepWorkers = new Map<string, string>();
  for (const step of request.steps) {
    stepWorkers.set(step.id, step.worker);
    batch.steps.push({
      id: step.id,
      runId: step.run_id,
      parentStepId: step.parent_id ?? null,
      worker: step.worker,
      kind: step.kind,
      startedAt: step.started_at,
      endedAt: step.ended_at ?? null,
      status: step.status,
      errorMessage: step.error ?? null,
    });
  }
  for (const call of request.calls) {
    const template = call.prompt?.template ?? systemPromptOf(call.input);
    const record: CallRecord = {
      id: call.id ?? randomUUID(),
      runId: call.run_id ?? null,
      stepId: call.step_id ?? null,
      worker: call.worker ?? (call.step_id ? stepWorkers.get(call.step_id) : undefined) ?? null,
      source: 'native',
      provider: call.provider ?? null,
      operation: call.operation,
      requestModel: call.model,
      responseModel: call.response_model ?? null,
      temperature: call.temperature ?? null,
      maxTokens: call.max_tokens ?? null,
      topP: call.top_p ?? null,
      stream: call.stream ?? null,
      inputTokens: call.usage?.input_tokens ?? null,
      outputTokens: call.usage?.output_tokens ?? null,
      cachedTokens: call.usage?.cached_tokens ?? null,
      reasoningTokens: call.usage?.reasoning_tokens ?? null,
      costUsd: call.cost_usd ?? null,
      costSource: call.cost_usd !== undefined ? 'client' : null,
      startedAt: call.started_at,
      latencyMs: call.latency_ms ?? null,
      ttftMs: call.ttft_ms ?? null,
      finishReason: call.finish_reason ?? null,
      status: call.status === 'ok' && call.error ? 'error' : call.status,
      errorType: call.error?.type ?? null,
      errorMessage: call.error?.message ?? null,
      promptId: call.prompt?.id ?? null,
      promptVersion: call.prompt?.version ?? null,
      promptFingerprint: template && options.fingerprint ? options.fingerprint(template) : null,
      sourceFile: call.source?.file ?? null,
      sourceLine: call.source?.line ?? null,
      inputText: call.input === undefined ? null : typeof call.input === 'string' ? call.input : JSON.stringify(call.input),
      outputText: call.output ?? null,
    };
    batch.calls.push(record);
  }
  for (const score of request.scores) {
    batch.scores.push({
      callId: score.call_id ?? null,
      runId: score.run_id ?? null,
      name: score.name,
      value: score.value ?? null,
      rawValue: score.value ?? null,
      label: score.label ?? null,
      comment: score.comment ?? null,
      source: 'app',
      createdAt: now,
    });
  }
  return batch;
}

function systemPromptOf(input: NativeIngest['calls'][number]['input']): string | undefined {
  if (!Array.isArray(input)) return undefined;
  const system = input.find((m) => m.role === 'system' || m.role === 'developer');
  return typeof system?.content === 'string' ? system.content : undefined;
}
