// Attribute names of the conventions Flowtune accepts, in priority order (first present wins).
// Own string constants on purpose: the OTel GenAI names are "Development" and their npm constants
// are deprecated. Sources: REFERENCES B 1.1–1.4.
import type { AttrValue, Attributes } from '../otlp/normalizedTypes';

/** Flowtune's own attributes, for what no convention names (documented in the README). */
export const FLOWTUNE = {
  runId: 'flowtune.run.id',
  worker: 'flowtune.worker',
  promptId: 'flowtune.prompt.id',
  promptVersion: 'flowtune.prompt.version',
  /** A 0..1 quality score the app attaches to a call span. */
  quality: 'flowtune.quality',
  scoreMin: 'flowtune.score.min',
  scoreMax: 'flowtune.score.max',
} as const;

export const KEYS = {
  operation: 'gen_ai.operation.name',
  openInferenceKind: 'openinference.span.kind',
  traceloopKind: 'traceloop.span.kind',
  llmRequestType: 'llm.request.type',
  provider: ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system'],
  requestModel: ['gen_ai.request.model'],
  // llm.model_name is the *response* model in OpenInference, so the request model falls back to
  // invocation_parameters.model before it (see mapSpans).
  modelName: ['llm.model_name', 'embedding.model_name'],
  responseModel: ['gen_ai.response.model', 'llm.model_name'],
  responseId: ['gen_ai.response.id', 'ai.response.id', 'llm.response.id'],
  temperature: ['gen_ai.request.temperature', 'llm.request.temperature'],
  maxTokens: ['gen_ai.request.max_tokens', 'gen_ai.request.max_completion_tokens', 'llm.request.max_tokens'],
  topP: ['gen_ai.request.top_p', 'llm.request.top_p'],
  stream: ['gen_ai.request.stream', 'llm.is_streaming'],
  inputTokens: ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt', 'llm.usage.prompt_tokens'],
  outputTokens: ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion', 'llm.usage.completion_tokens'],
  cachedTokens: ['gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens', 'llm.token_count.prompt_details.cache_read'],
  reasoningTokens: ['gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.reasoning_tokens', 'llm.token_count.completion_details.reasoning'],
  costTotal: 'llm.cost.total',
  timeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  finishReasons: 'gen_ai.response.finish_reasons',
  finishReasonFallback: ['llm.finish_reason', 'gen_ai.completion.0.finish_reason', 'llm.response.finish_reason'],
  errorType: 'error.type',
  httpStatus: ['http.response.status_code', 'http.status_code'],
  promptId: [FLOWTUNE.promptId, 'gen_ai.prompt.name', 'prompt.id', 'traceloop.prompt.key'],
  promptVersion: [FLOWTUNE.promptVersion, 'llm.prompt_template.version', 'traceloop.prompt.version', 'traceloop.association.properties.prompt_version'],
  promptTemplate: 'llm.prompt_template.template',
  sourceFile: ['code.file.path', 'code.filepath'],
  sourceLine: ['code.line.number', 'code.lineno'],
  invocationParameters: 'llm.invocation_parameters',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  systemInstructions: 'gen_ai.system_instructions',
  inputValue: 'input.value',
  outputValue: 'output.value',
  legacyPrompt: 'gen_ai.prompt',
  legacyCompletion: 'gen_ai.completion',
  runIdAssociation: 'traceloop.association.properties.run_id',
  workflowName: ['gen_ai.workflow.name', 'traceloop.workflow.name'],
  workerName: [FLOWTUNE.worker, 'gen_ai.agent.name', 'gen_ai.tool.name', 'traceloop.entity.name'],
  agentName: 'gen_ai.agent.name',
  serviceName: 'service.name',
  evaluationEvent: 'gen_ai.evaluation.result',
  evaluationName: 'gen_ai.evaluation.name',
  evaluationScore: 'gen_ai.evaluation.score.value',
  evaluationLabel: 'gen_ai.evaluation.score.label',
  evaluationExplanation: 'gen_ai.evaluation.explanation',
  // Not in the convention; accepted so a score on another scale can be normalised (see scores.ts).
  evaluationScoreMin: ['gen_ai.evaluation.score.min', FLOWTUNE.scoreMin],
  evaluationScoreMax: ['gen_ai.evaluation.score.max', FLOWTUNE.scoreMax],
} as const;

/** A non-empty string attribute. */
export function str(attrs: Attributes, key: string): string | undefined {
  const v = attrs[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function firstStr(attrs: Attributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const v = attrs[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

/** A number from a numeric attribute or a numeric string (int64 may arrive as a decimal string). */
export function toNumber(v: AttrValue | unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function num(attrs: Attributes, key: string): number | undefined {
  return toNumber(attrs[key]);
}

export function firstNum(attrs: Attributes, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const n = toNumber(attrs[key]);
    if (n !== undefined) return n;
  }
  return undefined;
}

export function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

export function firstBool(attrs: Attributes, keys: readonly string[]): boolean | undefined {
  for (const key of keys) {
    const b = toBool(attrs[key]);
    if (b !== undefined) return b;
  }
  return undefined;
}

/** A JSON string attribute parsed, or a structured attribute as is; undefined when unreadable. */
export function jsonAttr(v: AttrValue | undefined): unknown {
  if (typeof v === 'string') {
    const c = v.charCodeAt(0);
    // Only '{' or '[' can start what we look for; skip JSON.parse (and its throw) for plain text.
    if (c !== 123 && c !== 91) return undefined;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return undefined;
    }
  }
  return v === null ? undefined : v;
}
