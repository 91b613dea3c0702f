// Builders for OTLP/JSON trace requests with gen_ai spans, shared by tests and benchmarks.
import { randomBytes } from 'node:crypto';

export interface GenAiSpanOptions {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  startMs?: number;
  durationMs?: number;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  extraAttributes?: Array<{ key: string; value: Record<string, unknown> }>;
}

export const hexId = (bytes: number) => randomBytes(bytes).toString('hex');

export function genAiSpan(options: GenAiSpanOptions = {}) {
  const start = options.startMs ?? Date.now();
  const end = start + (options.durationMs ?? 850);
  return {
    traceId: options.traceId ?? hexId(16),
    spanId: options.spanId ?? hexId(8),
    ...(options.parentSpanId ? { parentSpanId: options.parentSpanId } : {}),
    name: options.name ?? `chat ${options.model ?? 'gpt-4o-mini'}`,
    kind: 3,
    startTimeUnixNano: `${BigInt(Math.round(start)) * 1_000_000n}`,
    endTimeUnixNano: `${BigInt(Math.round(end)) * 1_000_000n}`,
    attributes: [
      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
      { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
      { key: 'gen_ai.request.model', value: { stringValue: options.model ?? 'gpt-4o-mini' } },
      { key: 'gen_ai.usage.input_tokens', value: { intValue: String(options.inputTokens ?? 120) } },
      { key: 'gen_ai.usage.output_tokens', value: { intValue: options.outputTokens ?? 42 } },
      ...(options.extraAttributes ?? []),
    ],
    status: { code: 1 },
  };
}

export function traceRequest(spans: unknown[], serviceName = 'test-app') {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
        scopeSpans: [{ scope: { name: 'test', version: '1.0.0' }, spans }],
      },
    ],
  };
}
