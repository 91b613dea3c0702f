// The embedded model provider `flowtune demo` runs against (no network, no key needed).
// An OpenAI-compatible server whose behaviour is documented and deterministic for a given seed:
//  - models: gpt-4o (median latency 220 ms), gpt-4o-mini (median 90 ms); latency is log-normal
//    (σ = 0.35) plus 0.4 ms per output token;
//  - usage: input tokens = ceil(characters / 4) of all messages; output tokens = what was generated,
//    capped by max_tokens (then finish_reason = "length");
//  - content: a JSON answer for prompts that ask for JSON, prose otherwise; gpt-4o-mini drops a
//    required field 15% of the time on "outline" prompts, which is what the demo's evaluators catch;
//  - faults: 2% of requests answer 429 with Retry-After: 1, never twice in a row;
//  - streaming (SSE) with `stream_options.include_usage` honoured.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimulatedProvider {
  url: string;
  baseURL: string;
  close(): Promise<void>;
}

interface ModelProfile {
  medianLatencyMs: number;
  msPerOutputToken: number;
  dropFieldRate: number;
}

const MODELS: Record<string, ModelProfile> = {
  'gpt-4o': { medianLatencyMs: 220, msPerOutputToken: 0.4, dropFieldRate: 0 },
  'gpt-4o-mini': { medianLatencyMs: 90, msPerOutputToken: 0.4, dropFieldRate: 0.15 },
};

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

function messageText(messages: ChatMessage[]): string {
  return messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))).join('\n');
}

export async function startSimulatedProvider(seed = 42): Promise<SimulatedProvider> {
  const random = seededRandom(seed);
  let lastWasRateLimited = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
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
      if (!lastWasRateLimited && random() < 0.02) {
        lastWasRateLimited = true;
        res.setHeader('retry-after', '1');
        return sendJson(res, 429, { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } });
      }
      lastWasRateLimited = false;
      const messages = (body.messages as ChatMessage[] | undefined) ?? [];
      const prompt = messageText(messages);
      let content = generate(prompt, profile, random);
      const inputTokens = Math.ceil(prompt.length / 4);
      let outputTokens = Math.ceil(content.length / 4);
      const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : typeof body.max_completion_tokens === 'number' ? body.max_completion_tokens : Infinity;
      let finishReason = 'stop';
      if (outputTokens > maxTokens) {
        content = content.slice(0, maxTokens * 4);
        outputTokens = maxTokens;
        finishReason = 'length';
      }
      const latency = profile.medianLatencyMs * Math.exp(0.35 * gaussian(random)) + profile.msPerOutputToken * outputTokens;
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function generate(prompt: string, profile: ModelProfile, random: () => number): string {
  const topic = /topic:\s*([^\n]+)/i.exec(prompt)?.[1]?.trim() ?? 'the subject';
  if (/\bjson\b/i.test(prompt)) {
    const sections = ['Background', 'Key findings', 'Trade-offs', 'Recommendation'].map((title, i) => ({ title, points: 2 + ((i + topic.length) % 3) }));
    const answer: Record<string, unknown> = { topic, sections };
    if (/outline/i.test(prompt) && random() < profile.dropFieldRate) delete answer.sections;
    return JSON.stringify(answer);
  }
  const sentences = 6 + Math.floor(random() * 6);
  return Array.from({ length: sentences }, (_, i) => `Point ${i + 1} about ${topic}: a clear, well-supported statement with a concrete example.`).join(' ');
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
  for (let i = 0; i < content.length; i += 24) send({ ...base, choices: [{ index: 0, delta: { content: content.slice(i, i + 24) }, finish_reason: null }] });
  send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finishReason }] });
  if (usage) send({ ...base, choices: [], usage });
  res.end('data: [DONE]\n\n');
}
