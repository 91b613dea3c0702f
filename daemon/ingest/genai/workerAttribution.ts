// Which worker a model call belongs to: the application's name for it, not a framework's.
//
// The rule (README "Which worker a call belongs to"): walking up from the call, the first span of
// the strongest kind found names the worker —
//   1. `flowtune.worker` on the call or an ancestor (the proxy's `x-flowtune-worker` header);
//   2. a span the application made itself (its own tracer: a worker, workflow or agent span, or a
//      plain span around the call);
//   3. a framework span the application named (AI SDK `functionId`, Traceloop `withTask({ name })`,
//      an agent's `gen_ai.agent.name`);
//   4. any other framework span (AI SDK `ai.generateText`, LangChain `RunnableSequence`, …);
//   5. `gen_ai.agent.name` on the call itself.
// Framework spans stay steps of the run tree either way; they only lose the worker's name.
import type { NormalizedSpan } from '../otlp/normalizedTypes';
import { FLOWTUNE, KEYS, firstStr, str } from './attributeKeys';

export const RANK = { none: 0, callAgent: 1, framework: 2, namedFramework: 3, application: 4, explicit: 5 } as const;

export interface Attribution {
  name: string;
  rank: number;
}

// Instrumentation scopes of LLM frameworks: their spans wrap the application's calls.
const FRAMEWORK_SCOPES: ReadonlyArray<readonly [string, string]> = [
  ['@arizeai/openinference-instrumentation', 'openinference'],
  ['@traceloop/', 'traceloop'],
  ['traceloop', 'traceloop'],
  ['@mastra/', 'mastra'],
  ['mastra', 'mastra'],
  ['@llamaindex/', 'llamaindex'],
  ['llamaindex', 'llamaindex'],
  ['@langchain/', 'langchain'],
  ['langchain', 'langchain'],
];

/** Scope name → framework (null: the application's), memoised: a batch has few scopes and many spans. */
const scopeFrameworks = new Map<string, string | null>();

function frameworkOfScope(name: string): string | null {
  let framework = scopeFrameworks.get(name);
  if (framework !== undefined) return framework;
  // The AI SDK's tracer is named "ai" (6), or "gen_ai" for the GenAI-convention spans of
  // @ai-sdk/otel (7: invoke_agent > "step 1" > chat).
  const scope = name.toLowerCase();
  framework = scope === 'ai' || scope === 'gen_ai' ? 'ai-sdk' : (FRAMEWORK_SCOPES.find(([prefix]) => scope.startsWith(prefix))?.[1] ?? null);
  if (scopeFrameworks.size >= 1000) scopeFrameworks.clear();
  scopeFrameworks.set(name, framework);
  return framework;
}

/** The framework that made the span, or undefined for the application's own spans. */
export function frameworkOf(span: NormalizedSpan): string | undefined {
  const a = span.attributes;
  // The AI SDK marks every span with ai.operationId, also when another tracer carries it.
  if (a['ai.operationId'] !== undefined) return 'ai-sdk';
  if (a[KEYS.traceloopKind] !== undefined) return 'traceloop';
  return frameworkOfScope(span.scope.name) ?? undefined;
}

/** The name a framework span was given by the application, if any. */
function applicationNameOf(span: NormalizedSpan): string | undefined {
  const a = span.attributes;
  return str(a, 'ai.telemetry.functionId') ?? str(a, 'traceloop.entity.name') ?? str(a, KEYS.agentName) ?? firstStr(a, KEYS.workflowName);
}

/**
 * What this span would make of the worker if it is the step a call belongs to. `stepName` is the
 * name the step is stored under (the span's worker name in the run tree).
 */
export function attributionOf(span: NormalizedSpan, stepName: string): Attribution {
  const explicit = str(span.attributes, FLOWTUNE.worker);
  if (explicit !== undefined) return { name: explicit, rank: RANK.explicit };
  if (frameworkOf(span) === undefined) return { name: stepName, rank: RANK.application };
  const named = applicationNameOf(span);
  return named !== undefined ? { name: named, rank: RANK.namedFramework } : { name: span.name, rank: RANK.framework };
}

/** The stronger of two attributions; on a tie the first (the nearer one) stays. */
export function stronger(a: Attribution | undefined, b: Attribution | undefined): Attribution | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.rank > a.rank ? b : a;
}
