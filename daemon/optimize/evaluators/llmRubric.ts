// The llm-rubric evaluator: a judge model grades an output against the rubric, through the official
// openai client with structured output (a JSON schema), so the verdict is always parseable.
import type OpenAI from 'openai';
import type { EvaluatorScore } from './ruleEvaluators';

const VERDICT_SCHEMA = {
  type: 'object',
  properties: {
    pass: { type: 'boolean' },
    score: { type: 'number', description: 'quality in [0, 1]' },
    reason: { type: 'string' },
  },
  required: ['pass', 'score', 'reason'],
  additionalProperties: false,
} as const;

export async function scoreRubric(client: OpenAI, model: string, rubric: string, input: string, output: string): Promise<EvaluatorScore> {
  const name = `llm-rubric:${rubric.slice(0, 40)}`;
  const completion = await client.chat.completions.create({
    model,
    temperature: 0,
    messages: [
      {
        role: 'system',
        content: 'You grade the output of an LLM application against a rubric. Be strict and consistent. Answer in JSON: pass, score in [0,1], a one-sentence reason.',
      },
      { role: 'user', content: `Rubric:\n${rubric}\n\nInput given to the application:\n${input.slice(0, 8000)}\n\nOutput to grade:\n${output.slice(0, 8000)}` },
    ],
    response_format: { type: 'json_schema', json_schema: { name: 'rubric_verdict', strict: true, schema: VERDICT_SCHEMA } },
  });
  const text = completion.choices[0]?.message.content ?? '';
  try {
    const verdict = JSON.parse(text) as { pass?: unknown; score?: unknown; reason?: unknown };
    const score = typeof verdict.score === 'number' && Number.isFinite(verdict.score) ? Math.min(1, Math.max(0, verdict.score)) : verdict.pass === true ? 1 : 0;
    return { name, value: score, reason: typeof verdict.reason === 'string' ? verdict.reason : '' };
  } catch {
    return { name, value: 0, reason: `judge answer was not the JSON verdict: ${text.slice(0, 200)}` };
  }
}
