// What a span is to Flowtune: a model call, a pipeline step (workflow, agent, tool, task, chain…),
// or a plain span. First present wins: gen_ai.operation.name, openinference.span.kind,
// traceloop.span.kind, llm.request.type (REFERENCES B 1.4).
import type { Attributes } from '../otlp/normalizedTypes';
import { FLOWTUNE, KEYS, firstStr, str } from './attributeKeys';

export type SpanRole =
  | { role: 'call'; operation: string }
  | { role: 'step'; kind: string }
  | { role: 'plain' };

const CALL_OPERATIONS: Record<string, string> = {
  chat: 'chat',
  text_completion: 'text_completion',
  completion: 'text_completion',
  generate_content: 'generate_content',
  embeddings: 'embeddings',
  embedding: 'embeddings',
  responses: 'responses',
  response: 'responses',
  rerank: 'rerank',
};

const STEP_OPERATIONS: Record<string, string> = {
  invoke_agent: 'agent',
  create_agent: 'agent',
  execute_tool: 'tool',
  invoke_workflow: 'workflow',
  plan: 'plan',
  retrieval: 'retrieval',
};

const OPENINFERENCE_KINDS: Record<string, SpanRole> = {
  LLM: { role: 'call', operation: 'chat' },
  EMBEDDING: { role: 'call', operation: 'embeddings' },
  CHAIN: { role: 'step', kind: 'chain' },
  AGENT: { role: 'step', kind: 'agent' },
  TOOL: { role: 'step', kind: 'tool' },
  RETRIEVER: { role: 'step', kind: 'retriever' },
  RERANKER: { role: 'step', kind: 'reranker' },
  GUARDRAIL: { role: 'step', kind: 'guardrail' },
  EVALUATOR: { role: 'step', kind: 'evaluator' },
  PROMPT: { role: 'step', kind: 'prompt' },
};

const TRACELOOP_KINDS: Record<string, string> = { workflow: 'workflow', task: 'task', agent: 'agent', tool: 'tool' };

const PLAIN: SpanRole = { role: 'plain' };

function looksLikeModelCall(attrs: Attributes): boolean {
  return (
    attrs['gen_ai.request.model'] !== undefined ||
    attrs['llm.model_name'] !== undefined ||
    attrs['gen_ai.usage.input_tokens'] !== undefined ||
    attrs['gen_ai.usage.prompt_tokens'] !== undefined
  );
}

export function classifySpan(attrs: Attributes): SpanRole {
  const op = str(attrs, KEYS.operation);
  if (op !== undefined) {
    const call = CALL_OPERATIONS[op];
    if (call !== undefined) return { role: 'call', operation: call };
    const step = STEP_OPERATIONS[op];
    if (step !== undefined) return { role: 'step', kind: step };
    // An operation this table does not know yet (memory ops, new ones): a call if it names a
    // model or carries usage, otherwise a step named after the operation.
    return looksLikeModelCall(attrs) ? { role: 'call', operation: op } : { role: 'step', kind: op };
  }
  const oi = str(attrs, KEYS.openInferenceKind);
  if (oi !== undefined) {
    const role = OPENINFERENCE_KINDS[oi.toUpperCase()];
    if (role !== undefined) return role;
  }
  const tl = str(attrs, KEYS.traceloopKind);
  if (tl !== undefined && TRACELOOP_KINDS[tl] !== undefined) return { role: 'step', kind: TRACELOOP_KINDS[tl] };
  const requestType = str(attrs, KEYS.llmRequestType);
  if (requestType !== undefined) return { role: 'call', operation: CALL_OPERATIONS[requestType] ?? requestType };
  if (looksLikeModelCall(attrs) && firstStr(attrs, KEYS.provider) !== undefined) return { role: 'call', operation: 'chat' };
  // An app marks its own worker spans with flowtune.worker.
  if (str(attrs, FLOWTUNE.worker) !== undefined) return { role: 'step', kind: 'worker' };
  return PLAIN;
}
