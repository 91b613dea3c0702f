// What the fake analysis model answers in the insights tests, and how its requests are told apart.

export const VALID_INSIGHTS = {
  summary: 'Costly model for a simple task; answers are short.',
  recommendations: [
    {
      category: 'cost',
      title: 'Move to gpt-4o-mini',
      parameter: 'model',
      current_value: 'gpt-4o',
      new_value: 'gpt-4o-mini',
      rationale: 'Short outputs and a simple rubric; the cost per call is 99 dollars (a number the model made up).',
      expected_improvement: { metric: 'cost_per_call', relative_change: -0.9, description: 'about 90% cheaper per call' },
      confidence: 0.8,
    },
    {
      category: 'speed',
      title: 'Cap the answer length',
      parameter: 'max_tokens',
      current_value: null,
      new_value: '256 tokens',
      rationale: 'Outputs are short; a cap bounds the tail latency.',
      expected_improvement: { metric: 'latency_ms', relative_change: -0.1, description: 'a slightly shorter tail' },
      confidence: 0.4,
    },
    {
      category: 'quality',
      title: 'State the audience in the prompt',
      parameter: 'prompt',
      current_value: null,
      new_value: 'add: "for a busy executive"',
      rationale: 'Quality is already high; a clearer audience may help.',
      expected_improvement: { metric: 'quality', relative_change: 0.02, description: 'a little more relevant' },
      confidence: 0.3,
    },
  ],
};

export function isAnalysisRequest(body: Record<string, unknown>): boolean {
  return (body.response_format as { json_schema?: { name?: string } } | undefined)?.json_schema?.name === 'worker_performance_insights';
}
