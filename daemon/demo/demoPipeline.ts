// The demo's pipeline: a three-worker content generator (research → outline → write) calling the
// simulated provider through the daemon's recording proxy with the official openai client, and
// scoring each outline with an is-json evaluator posted as feedback.
import OpenAI from 'openai';

export interface DemoPipelineOptions {
  daemonUrl: string;
  token: string;
  runs: number;
  concurrency: number;
  onProgress?: (done: number, total: number) => void;
}

export interface DemoPipelineResult {
  runs: number;
  calls: number;
  failedRuns: number;
  outlinesScored: number;
}

const TOPICS = ['vector databases', 'retry budgets', 'prompt caching', 'edge inference', 'token pricing', 'eval harnesses', 'rate limits', 'structured outputs'];

const OUTLINE_SYSTEM = 'You are an editor. Return a JSON object {"topic", "sections":[{"title","points"}]} and nothing else.';

export async function runDemoPipeline(options: DemoPipelineOptions): Promise<DemoPipelineResult> {
  const client = new OpenAI({
    apiKey: 'demo-key-not-a-secret',
    baseURL: `${options.daemonUrl}/openai/v1`,
    defaultHeaders: { 'x-flowtune-token': options.token },
    maxRetries: 2,
  });
  const result: DemoPipelineResult = { runs: 0, calls: 0, failedRuns: 0, outlinesScored: 0 };
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= options.runs) return;
      try {
        await runOnce(client, options, index, result);
      } catch {
        result.failedRuns++;
      }
      result.runs++;
      options.onProgress?.(result.runs, options.runs);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return result;
}

async function runOnce(client: OpenAI, options: DemoPipelineOptions, index: number, result: DemoPipelineResult): Promise<void> {
  const runId = `demo-run-${String(index).padStart(4, '0')}`;
  const topic = TOPICS[index % TOPICS.length];
  const headers = (worker: string) => ({ 'x-flowtune-worker': worker, 'x-flowtune-run': runId, 'x-flowtune-prompt': `${worker}-v1` });

  const research = await client.chat.completions.create(
    {
      model: 'gpt-4o',
      temperature: 0.3,
      messages: [
        { role: 'system', content: 'You are a meticulous researcher. Collect facts, sources and open questions.' },
        { role: 'user', content: `topic: ${topic}\nList the key facts a senior engineer should know.` },
      ],
    },
    { headers: headers('research') },
  );
  result.calls++;

  const { data: outline, response } = await client.chat.completions
    .create(
      {
        model: 'gpt-4o-mini',
        temperature: 0,
        max_tokens: 400,
        messages: [
          { role: 'system', content: OUTLINE_SYSTEM },
          { role: 'user', content: `Make a JSON outline. topic: ${topic}\nNotes: ${research.choices[0]?.message.content ?? ''}` },
        ],
      },
      { headers: headers('outline') },
    )
    .withResponse();
  result.calls++;
  const callId = response.headers.get('x-flowtune-call-id');
  if (callId) {
    await postFeedback(options, callId, outlineQuality(outline.choices[0]?.message.content ?? ''));
    result.outlinesScored++;
  }

  const stream = await client.chat.completions.create(
    {
      model: 'gpt-4o',
      stream: true,
      messages: [
        { role: 'system', content: 'You are a technical writer. Write clear, concrete prose.' },
        { role: 'user', content: `Write the article. topic: ${topic}\nOutline: ${outline.choices[0]?.message.content ?? ''}` },
      ],
    },
    { headers: headers('write') },
  );
  for await (const _chunk of stream) {
    // The proxy records the stream; the demo only drains it.
  }
  result.calls++;
}

/** The demo's evaluator for outlines: valid JSON with a non-empty `sections` array (promptfoo's is-json plus a field check). */
export function outlineQuality(text: string): number {
  try {
    const parsed = JSON.parse(text) as { sections?: unknown };
    return Array.isArray(parsed.sections) && parsed.sections.length > 0 ? 1 : 0;
  } catch {
    return 0;
  }
}

async function postFeedback(options: DemoPipelineOptions, callId: string, quality: number): Promise<void> {
  await fetch(`${options.daemonUrl}/v1/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-flowtune-token': options.token },
    body: JSON.stringify({ call_id: callId, quality }),
  });
}
