// Scores one output with a worker's evaluators: the mean of the rule scores and (when a judge model
// is configured) the rubric scores. Null when the worker declares no evaluator that can run.
import type OpenAI from 'openai';
import type { Evaluator } from '../../../shared/config';
import { scoreRubric } from './llmRubric';
import { scoreRule, type EvaluatorScore } from './ruleEvaluators';

export interface Judge {
  client: OpenAI;
  model: string;
}

export interface OutputScore {
  quality: number | null;
  scores: EvaluatorScore[];
}

export function canScore(evaluators: readonly Evaluator[], judge: Judge | null): boolean {
  return evaluators.some((e) => e.type !== 'llm-rubric' || judge !== null);
}

export async function scoreOutput(evaluators: readonly Evaluator[], input: string, output: string, judge: Judge | null): Promise<OutputScore> {
  const scores: EvaluatorScore[] = [];
  for (const evaluator of evaluators) {
    if (evaluator.type === 'llm-rubric') {
      if (!judge) continue;
      scores.push(await scoreRubric(judge.client, evaluator.model ?? judge.model, evaluator.value, input, output));
    } else {
      scores.push(scoreRule(evaluator, output));
    }
  }
  if (scores.length === 0) return { quality: null, scores };
  return { quality: scores.reduce((s, x) => s + x.value, 0) / scores.length, scores };
}
