// The deterministic evaluators of flowtune.config.json, in promptfoo's vocabulary: is-json,
// contains, icontains, regex, length bounds. Each scores one output 0 or 1.
import type { Evaluator } from '../../../shared/config';

export type RuleEvaluator = Exclude<Evaluator, { type: 'llm-rubric' }>;

export interface EvaluatorScore {
  name: string;
  value: number;
  reason: string;
}

export function evaluatorName(evaluator: Evaluator): string {
  switch (evaluator.type) {
    case 'is-json':
      return 'is-json';
    case 'length':
      return `length(${evaluator.min ?? 0}..${evaluator.max ?? '∞'})`;
    default:
      return `${evaluator.type}:${evaluator.value.slice(0, 40)}`;
  }
}

/** Text inside a ```json fence when present (models often wrap JSON), else the text itself. */
function jsonCandidate(output: string): string {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(output);
  return (fenced ? fenced[1] : output).trim();
}

export function scoreRule(evaluator: RuleEvaluator, output: string): EvaluatorScore {
  const name = evaluatorName(evaluator);
  switch (evaluator.type) {
    case 'is-json': {
      try {
        JSON.parse(jsonCandidate(output));
        return { name, value: 1, reason: 'valid JSON' };
      } catch (error) {
        return { name, value: 0, reason: `not JSON: ${(error as Error).message}` };
      }
    }
    case 'contains':
      return output.includes(evaluator.value) ? { name, value: 1, reason: 'contains the text' } : { name, value: 0, reason: `does not contain "${evaluator.value}"` };
    case 'icontains':
      return output.toLowerCase().includes(evaluator.value.toLowerCase())
        ? { name, value: 1, reason: 'contains the text (case-insensitive)' }
        : { name, value: 0, reason: `does not contain "${evaluator.value}" (case-insensitive)` };
    case 'regex': {
      let pattern: RegExp;
      try {
        pattern = new RegExp(evaluator.value);
      } catch (error) {
        return { name, value: 0, reason: `invalid regex: ${(error as Error).message}` };
      }
      return pattern.test(output) ? { name, value: 1, reason: 'matches' } : { name, value: 0, reason: `does not match /${evaluator.value}/` };
    }
    case 'length': {
      const n = output.length;
      const tooShort = evaluator.min !== undefined && n < evaluator.min;
      const tooLong = evaluator.max !== undefined && n > evaluator.max;
      return tooShort || tooLong ? { name, value: 0, reason: `${n} characters, outside ${name}` } : { name, value: 1, reason: `${n} characters` };
    }
  }
}
