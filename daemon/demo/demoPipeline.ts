// The demo's content pipeline: research → outline → write, then tags and title (both read only the
// article, yet run one after the other). Each step calls the simulated provider through the daemon's
// recording proxy with the official openai client; a simulated reader rates every article and the
// outline's evaluator score is posted as feedback. The same code, pointed straight at the provider
// with the best settings, measures the known optimum.
import OpenAI from 'openai';
import type { WorkerConfig } from '../../shared/config';
import { compressPromptByRules } from '../optimize/optimizers/promptCompression';
import type { PriceTable } from '../pricing/priceTable';
import { seededRandom } from './simulatedProvider';

export const TOPICS = ['vector databases', 'retry budgets', 'prompt caching', 'edge inference', 'token pricing', 'eval harnesses', 'rate limits', 'structured outputs', 'batch APIs', 'embedding drift', 'guardrails', 'agent loops'];

export const PROMPTS = {
  research: 'You are a meticulous researcher. Collect facts, sources and open questions.',
  // Deliberately repetitive, as prompts grow in real projects: prompt compression has something to find.
  outline:
    'You are an editor who writes outlines. Return a JSON object {"topic", "sections":[{"title","points"}]} and nothing else.   Please make sure to return only JSON.\n' +
    'It is very important that you return a JSON object. Return a JSON object {"topic", "sections":[{"title","points"}]} and nothing else.\n\n' +
    'Keep the outline focused. Keep the outline focused.\nRemember to return only JSON.   Do not add commentary.',
  write: 'You are a technical writer. Write clear prose for engineers.',
  tags: 'You assign tags to an article. Answer with a JSON array of three tags.',
  title: 'You write a headline for the article, under 80 characters.',
};

/** The developer's alternative prompt for the writer (registered as a prompt variant; the bandit picks). */
export const WRITE_VARIANT = { id: 'write-examples', system_prompt: 'You are a technical writer. Write clear prose for engineers and back every claim with a concrete example.' };

export const DEMO_WORKERS: WorkerConfig[] = [
  { name: 'research', model: 'gpt-4o', temperature: 0.3, evaluators: [{ type: 'icontains', value: 'sources:' }], depends_on: [] },
  { name: 'outline', model: 'gpt-4o', max_tokens: 4000, evaluators: [{ type: 'is-json' }, { type: 'contains', value: '"sections"' }], depends_on: ['research'] },
  { name: 'write', model: 'gpt-4o', evaluators: [{ type: 'icontains', value: 'for example' }], depends_on: ['outline'] },
  { name: 'tags', model: 'gpt-4o', evaluators: [{ type: 'is-json' }], depends_on: ['write'] },
  { name: 'title', model: 'gpt-4o', evaluators: [{ type: 'length', max: 80 }], depends_on: ['write'] },
];

export type WorkerName = 'research' | 'outline' | 'write' | 'tags' | 'title';

export interface StepSettings {
  model: string;
  maxTokens?: number;
  system: string;
}

export const APP_SETTINGS: Record<WorkerName, StepSettings> = {
  research: { model: 'gpt-4o', system: PROMPTS.research },
  outline: { model: 'gpt-4o', maxTokens: 4000, system: PROMPTS.outline },
  write: { model: 'gpt-4o', system: PROMPTS.write },
  tags: { model: 'gpt-4o', system: PROMPTS.tags },
  title: { model: 'gpt-4o', system: PROMPTS.title },
};

export interface PipelineTarget {
  client: OpenAI;
  /** Headers for one call (the proxy's worker/run headers), or none when calling the provider directly. */
  headers(worker: WorkerName, runId: string): Record<string, string>;
  settings: Record<WorkerName, StepSettings>;
  /** Reads a research answer from a cache instead of calling (the optimum's cache). */
  researchCache?: Map<string, string>;
  /** Posts feedback for a call (daemon) or records it (optimum). */
  feedback(callId: string | null, worker: WorkerName, score: { quality?: number; rating?: number }): Promise<void>;
  onCall?(worker: WorkerName, model: string, usage: OpenAI.CompletionUsage | undefined): void;
}

export interface GenerationResult {
  runs: number;
  failedRuns: number;
  calls: number;
}

export function outlineQuality(text: string): number {
  let json = 0;
  try {
    JSON.parse(text);
    json = 1;
  } catch {
    json = 0;
  }
  return (json + (text.includes('"sections"') ? 1 : 0)) / 2;
}

/** The simulated reader: an article with concrete examples gets 4–5 stars, one without 2–3. */
export function readerRating(article: string, random: () => number): number {
  const good = /for example/i.test(article);
  return good ? (random() < 0.6 ? 5 : 4) : random() < 0.5 ? 3 : 2;
}

async function step(target: PipelineTarget, worker: WorkerName, runId: string, user: string, stream = false): Promise<{ text: string; callId: string | null }> {
  const s = target.settings[worker];
  const body = {
    model: s.model,
    ...(s.maxTokens ? { max_tokens: s.maxTokens } : {}),
    ...(worker === 'research' ? { temperature: 0.3 } : { temperature: 0 }),
    messages: [
      { role: 'system' as const, content: s.system },
      { role: 'user' as const, content: user },
    ],
  };
  const options = { headers: target.headers(worker, runId) };
  if (stream) {
    const { data, response } = await target.client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, options).withResponse();
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of data) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    target.onCall?.(worker, s.model, usage);
    return { text, callId: response.headers.get('x-flowtune-call-id') };
  }
  const { data, response } = await target.client.chat.completions.create(body, options).withResponse();
  target.onCall?.(worker, s.model, data.usage);
  return { text: data.choices[0]?.message.content ?? '', callId: response.headers.get('x-flowtune-call-id') };
}

export async function runOnce(target: PipelineTarget, runId: string, index: number, random: () => number): Promise<number> {
  const topic = TOPICS[index % TOPICS.length];
  let calls = 0;
  let research = target.researchCache?.get(topic);
  if (research === undefined) {
    research = (await step(target, 'research', runId, `topic: ${topic}\nList the key facts a senior engineer should know.`)).text;
    calls++;
    target.researchCache?.set(topic, research);
  }
  const outline = await step(target, 'outline', runId, `Make a JSON outline. topic: ${topic}\nbrief: #${index}\nNotes: ${research}`);
  calls++;
  await target.feedback(outline.callId, 'outline', { quality: outlineQuality(outline.text) });
  const article = await step(target, 'write', runId, `Write the article. topic: ${topic}\nbrief: #${index}\nOutline: ${outline.text.slice(0, 600)}`, true);
  calls++;
  await target.feedback(article.callId, 'write', { rating: readerRating(article.text, random) });
  // Independent of each other, yet sequential: what the parallelize optimizer notices.
  await step(target, 'tags', runId, `Article: ${article.text}`);
  await step(target, 'title', runId, `Article: ${article.text}`);
  return calls + 2;
}

export async function runGeneration(target: PipelineTarget, options: { runs: number; startIndex: number; concurrency: number; seed: number; runPrefix: string; onProgress?: (done: number) => void }): Promise<GenerationResult> {
  const random = seededRandom(options.seed);
  const result: GenerationResult = { runs: 0, failedRuns: 0, calls: 0 };
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= options.runs) return;
      const index = options.startIndex + i;
      try {
        const calls = await runOnce(target, `${options.runPrefix}-${String(index).padStart(5, '0')}`, index, random);
        result.calls += calls;
      } catch {
        result.failedRuns++;
      }
      result.runs++;
      options.onProgress?.(result.runs);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return result;
}

export function proxyTarget(daemonUrl: string, token: string): PipelineTarget {
  const client = new OpenAI({ apiKey: 'demo-key-not-a-secret', baseURL: `${daemonUrl}/openai/v1`, defaultHeaders: { 'x-flowtune-token': token }, maxRetries: 3 });
  return {
    client,
    headers: (worker, runId) => ({ 'x-flowtune-worker': worker, 'x-flowtune-run': runId, 'x-flowtune-prompt': `${worker}-v1` }),
    settings: APP_SETTINGS,
    async feedback(callId, _worker, score) {
      if (!callId) return;
      // The proxy stores a call right after its last byte, so feedback sent at once may arrive first: retry briefly on 404.
      for (let attempt = 0; attempt < 20; attempt++) {
        const response = await fetch(`${daemonUrl}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-flowtune-token': token }, body: JSON.stringify({ call_id: callId, ...score }) });
        if (response.status !== 404) return;
        await new Promise((resolve) => setTimeout(resolve, 10 * (attempt + 1)));
      }
    },
  };
}

export interface KnownOptimum {
  costPerRun: number;
  outlineQuality: number;
  writeRating: number;
  settings: Record<WorkerName, StepSettings>;
}

/**
 * The best configuration the simulator's table implies, measured by running it directly against the
 * provider: research cached (a warm cache costs nothing), outlines on gpt-4.1-mini with a right-sized cap
 * and the compressed prompt, the writer on gpt-4o with the examples prompt, tags and titles on gpt-4.1-nano.
 */
export async function measureKnownOptimum(providerBaseURL: string, prices: PriceTable, runs: number, seed: number): Promise<KnownOptimum> {
  const settings: Record<WorkerName, StepSettings> = {
    research: { model: 'gpt-4.1-mini', system: PROMPTS.research },
    outline: { model: 'gpt-4.1-mini', maxTokens: 128, system: compressPromptByRules(PROMPTS.outline) },
    write: { model: 'gpt-4o', system: WRITE_VARIANT.system_prompt },
    tags: { model: 'gpt-4.1-nano', system: PROMPTS.tags },
    title: { model: 'gpt-4.1-nano', system: PROMPTS.title },
  };
  let cost = 0;
  let counting = false;
  const outlines: number[] = [];
  const ratings: number[] = [];
  const target: PipelineTarget = {
    client: new OpenAI({ apiKey: 'demo-key-not-a-secret', baseURL: providerBaseURL, maxRetries: 3 }),
    headers: () => ({}),
    settings,
    researchCache: new Map(),
    async feedback(_callId, worker, score) {
      if (!counting) return;
      if (worker === 'outline' && score.quality !== undefined) outlines.push(score.quality);
      if (worker === 'write' && score.rating !== undefined) ratings.push(score.rating);
    },
    onCall(_worker, model, usage) {
      if (counting && usage) cost += prices.computeCost({ model, inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens })?.costUsd ?? 0;
    },
  };
  // Warm the research cache first: in steady state every topic is cached.
  for (let i = 0; i < TOPICS.length; i++) await runOnce(target, `optimum-warm-${i}`, i, seededRandom(seed));
  counting = true;
  await runGeneration(target, { runs, startIndex: 0, concurrency: 8, seed, runPrefix: 'optimum' });
  const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
  return { costPerRun: cost / runs, outlineQuality: mean(outlines), writeRating: mean(ratings), settings };
}
