// The messages the analysis model reads: the worker's measured aggregates, its parameters, and the
// models it could move to with their prices. Prompt and output text of the user's calls is included
// only when the user allowed it (insights.include_content); by default nothing but numbers and names.
import type { WorkerStatistics } from '../../shared/http/insights';

export interface PromptInputs {
  statistics: WorkerStatistics;
  /** Evaluator kinds configured for the worker (never their rubric text). */
  evaluatorKinds: string[];
  candidates: Array<{ model: string; input_usd_per_million_tokens: number; output_usd_per_million_tokens: number }>;
  /** The worker's latest system prompt, only when content may be sent; else null. */
  systemPrompt: string | null;
}

const SYSTEM = [
  'You are a senior engineer tuning one step ("worker") of an LLM pipeline.',
  'You read its measured statistics and recommend concrete parameter changes for speed, cost and quality: at most two per category, only where the numbers support them.',
  'Each recommendation names one parameter, its current value and the exact new value (a model name from the candidates, a max_tokens integer, a temperature number, …), the metric it should move with the relative change you expect (negative for less latency or cost), and your confidence in [0, 1].',
  'Every change will be tested by an experiment before anything ships, so say what you expect, not what you hope. Do not invent numbers the statistics do not show.',
].join(' ');

const MAX_PROMPT_CHARS = 4000;

export function insightMessages(inputs: PromptInputs): Array<{ role: 'system' | 'user'; content: string }> {
  const facts = {
    worker: inputs.statistics.worker,
    statistics: { ...inputs.statistics, worker: undefined },
    evaluators: inputs.evaluatorKinds,
    candidate_models: inputs.candidates,
  };
  const parts = [`Measured statistics of the worker (JSON):\n${JSON.stringify(facts, null, 1)}`];
  if (inputs.systemPrompt !== null) parts.push(`The worker's system prompt (shared with permission):\n${inputs.systemPrompt.slice(0, MAX_PROMPT_CHARS)}`);
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: parts.join('\n\n') },
  ];
}
