// The embedded model provider `flowtune demo` runs against (no network, no key needed): an
// OpenAI-compatible chat completions server whose behaviour is documented here and deterministic for a
// seed. It is SIMULATED; the demo says so. Seeded so that each optimizer has something real to find:
//
//  - Models (prices are the real list prices from the shipped price table, so costs are realistic):
//      gpt-4o        median 80 ms + 0.12 ms/output token; the quality reference on every task
//      gpt-4.1-mini  median 45 ms + 0.06 ms/token; as good as gpt-4o on research and outlines, worse at writing
//      gpt-4o-mini   median 35 ms + 0.05 ms/token; weaker at research, outlines and writing
//      gpt-4.1-nano  median 25 ms + 0.04 ms/token; only good at short structured tasks (tags, titles)
//    Latency is log-normal (σ = 0.3) around the median; `latencyScale` multiplies it (0 in tests).
//  - Task types, recognised from the system prompt, each with an output feature an evaluator checks
//    (QUALITY below is the probability the feature is present):
//      research  "Fact n:" lines and a "Sources:" line            (icontains "sources:")
//      outline   JSON {"topic","sections":[...]}; a miss drops "sections"   (is-json, contains "sections")
//      write     prose; a good article has "For example" sentences (icontains "for example"); a prompt
//                that asks for concrete examples raises that probability by EXAMPLE_PROMPT_BOOST
//      tags      a JSON array of tags; a miss answers prose       (is-json)
//      title     a headline under 80 characters; a miss rambles   (length max 80)
//  - Runaway generations: for 6% of outline inputs (chosen by a hash of the input, whatever the model)
//    the answer does not stop; it repeats until max_tokens (finish_reason "length"). The demo pipeline
//    sends outlines with max_tokens 4000, far above what outlines need.
//  - Usage: input tokens = ceil(characters / 4) of all messages; output tokens likewise, capped by max_tokens.
//  - Faults: 1% of requests answer 429 with retry-after-ms: 0 (never twice in a row).
//  - Streaming (SSE) with `stream_options.include_usage` honoured.
// The optimum the demo measures against is not read from here: it is measured by running the same
// pipeline under the best settings this table implies (knownOptimum in demoPipeline.ts).
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type TaskType = 'research' | 'outline' | 'write' | 'tags' | 'title' | 'other';

export interface ModelProfile {
  medianLatencyMs: number;
  msPerOutputToken: number;
  quality: Record<TaskType, number>;
}

export const MODELS: Record<string, ModelProfile> = {
  'gpt-4o': { medianLatencyMs: 80, msPerOutputToken: 0.12, quality: { research: 0.97, outline: 1, write: 0.6, tags: 1, title: 1, other: 1 } },
  'gpt-4.1-mini': { medianLatencyMs: 45, msPerOutputToken: 0.06, quality: { research: 0.97, outline: 0.995, write: 0.35, tags: 1, title: 1, other: 1 } },
  'gpt-4o-mini': { medianLatencyMs: 35, msPerOutputToken: 0.05, quality: { research: 0.8, outline: 0.8, write: 0.3, tags: 1, title: 0.99, other: 0.9 } },
  'gpt-4.1-nano': { medianLatencyMs: 25, msPerOutputToken: 0.04, quality: { research: 0.6, outline: 0.55, write: 0.2, tags: 1, title: 1, other: 0.8 } },
};

export const RUNAWAY_RATE = 0.06;
export const EXAMPLE_PROMPT_BOOST = 0.35;
export const RATE_LIMIT_RATE = 0.01;

export interface SimulatedProvider {
  url: string;
  baseURL: string;
  requests(): number;
  close(): Promise<void>;
}

/** Mulberry32: small, fast, seedable; the demo must be reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

interface ChatMessage {
  role: string;
  content: unknown;
}

function textOf(m: ChatMessage): string {
  return typeof m.content === 'string' ? m.content : JSON.stringify(m.content);
}

export function taskOf(system: string): TaskType {
  const s = system.toLowerCase();
  if (s.includes('researcher')) return 'research';
  if (s.includes('outline')) return 'outline';
  if (s.includes('technical writer')) return 'write';
  if (s.includes('tags')) return 'tags';
  if (s.includes('headline')) return 'title';
  return 'other';
}

/** A number in [0, 1) fixed by the input text: input-dependent behaviour, the same under every model. */
export function inputShare(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

export interface Generated {
  content: string;
  runaway: boolean;
}

/** What a model answers for a task; `hit` is whether the quality feature is present. */
export function generate(task: TaskType, system: string, user: string, profile: ModelProfile, random: () => number): Generated {
  const topic = /topic:\s*([^\n]+)/i.exec(user)?.[1]?.trim() ?? 'the subject';
  const hit = random() < profile.quality[task] + (task === 'write' && /concrete example/i.test(system) ? EXAMPLE_PROMPT_BOOST : 0);
  switch (task) {
    case 'research': {
      const facts = Array.from({ length: 6 + Math.floor(random() * 4) }, (_, i) => `Fact ${i + 1}: ${topic} has a measurable property number ${i + 1} worth checking.`);
      return { content: [...facts, ...(hit ? [`Sources: vendor docs and two benchmarks on ${topic}.`] : [])].join('\n'), runaway: false };
    }
    case 'outline': {
      const sections = ['Background', 'Key findings', 'Trade-offs', 'Recommendation'].map((title, i) => ({ title, points: 2 + ((i + topic.length) % 3) }));
      const json = JSON.stringify(hit ? { topic, sections } : { topic });
      if (inputShare(user) < RUNAWAY_RATE) return { content: `${json}\n${'and further, the outline continues without end; '.repeat(2000)}`, runaway: true };
      return { content: json, runaway: false };
    }
    case 'write': {
      const n = 8 + Math.floor(random() * 6);
      const body = Array.from({ length: n }, (_, i) => `Point ${i + 1} about ${topic}: a clear, well-supported statement for engineers.`);
      if (hit) body.splice(2, 0, `For example, a team adopting ${topic} cut its latency by a third in a week.`, `For example, measure before and after each change.`);
      return { content: body.join(' '), runaway: false };
    }
    case 'tags':
      return { content: hit ? JSON.stringify([topic, 'engineering', 'llm']) : `Tags: ${topic}, engineering`, runaway: false };
    case 'title':
      return { content: hit ? `What ${topic} changes for engineers` : `A long and winding headline about ${topic} that goes on and on for far too many characters`, runaway: false };
    default:
      return { content: `An answer about ${topic}.`, runaway: false };
  }
}

export interface SimulatedProviderOptions {
  seed?: number;
  /** Multiplies every simulated latency (0: answer at once). */
  latencyScale?: number;
}

export async function startSimulatedProvider(options: SimulatedProviderOptions = {}): Promise<SimulatedProvider> {
  const random = seededRandom(options.seed ?? 42);
  const scale = options.latencyScale ?? 1;
  let lastWasRateLimited = false;
  let served = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      served++;
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return sendJson(res, 400, { error: { message: 'invalid JSON body', type: 'invalid_request_error', code: null } });
      }
      const path = (req.url ?? '').split('?')[0];
      if (path.endsWith('/models')) {
        return sendJson(res, 200, { object: 'list', data: Object.keys(MODELS).map((id) => ({ id, object: 'model', created: 0, owned_by: 'flowtune-demo' })) });
      }
      if (!path.endsWith('/chat/completions')) {
        return sendJson(res, 404, { error: { message: `the demo provider serves chat completions only (${path})`, type: 'invalid_request_error', code: 'unknown_url' } });
      }
      const model = String(body.model ?? '');
      const profile = MODELS[model];
      if (!profile) {
        return sendJson(res, 404, { error: { message: `The model \`${model}\` does not exist`, type: 'invalid_request_error', code: 'model_not_found' } });
      }
      if (!lastWasRateLimited && random() < RATE_LIMIT_RATE) {
        lastWasRateLimited = true;
        // "Retry at once": the client backs off on its own schedule. (A positive Retry-After pauses the
        // proxy's gate for that model, which is what a real provider's header should do.)
        res.setHeader('retry-after-ms', '0');
        return sendJson(res, 429, { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } });
      }
      lastWasRateLimited = false;
      const messages = (body.messages as ChatMessage[] | undefined) ?? [];
      const system = messages.filter((m) => m.role === 'system' || m.role === 'developer').map(textOf).join('\n');
      const user = messages.filter((m) => m.role === 'user').map(textOf).join('\n');
      const generated = generate(taskOf(system), system, user, profile, random);
      let content = generated.content;
      const inputTokens = Math.ceil(messages.map(textOf).join('\n').length / 4);
      let outputTokens = Math.ceil(content.length / 4);
      const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : typeof body.max_completion_tokens === 'number' ? body.max_completion_tokens : 16_384;
      let finishReason = 'stop';
      if (outputTokens > maxTokens) {
        content = content.slice(0, maxTokens * 4);
        outputTokens = maxTokens;
        finishReason = 'length';
      }
      const latency = scale * (profile.medianLatencyMs * Math.exp(0.3 * gaussian(random)) + profile.msPerOutputToken * outputTokens);
      const usage = { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
      const id = `chatcmpl-demo-${Math.floor(random() * 1e9)}`;
      setTimeout(() => {
        if (body.stream === true) {
          const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
          streamChat(res, id, model, content, finishReason, includeUsage ? usage : null);
        } else {
          sendJson(res, 200, {
            id,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model,
            choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: finishReason, logprobs: null }],
            usage,
          });
        }
      }, latency);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    requests: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendJson(res: http.ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function streamChat(res: http.ServerResponse, id: string, model: string, content: string, finishReason: string, usage: Record<string, number> | null): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const base = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
  const send = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
  send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
  for (let i = 0; i < content.length; i += 64) send({ ...base, choices: [{ index: 0, delta: { content: content.slice(i, i + 64) }, finish_reason: null }] });
  send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finishReason }] });
  if (usage) send({ ...base, choices: [], usage });
  res.end('data: [DONE]\n\n');
}
