// The proxy bench's upstream: a minimal, deterministic OpenAI-compatible chat endpoint, run as its own
// process so its CPU is not the daemon's or the load generator's. A fixed JSON answer, or (for
// `"stream": true`) a fixed SSE stream whose first event goes out at once and the rest 2 ms later,
// so time to first token is a separate moment from the end of the stream. It remembers nothing, so
// its memory stays flat whatever the run length. The test suite's fake (test/support/fakeOpenAI.ts)
// keeps every request for assertions, which a 100,000-request run cannot afford.
//
// Run: node --import tsx test/bench/proxyBenchUpstream.ts  → prints {"port":N} on stdout.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

const MODEL = 'gpt-4o-mini-2024-07-18';
const CREATED = 1_700_000_000;
const REST_OF_STREAM_DELAY_MS = 2;

const JSON_ANSWER = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: CREATED,
    model: MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the bench upstream.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
    system_fingerprint: 'fp_bench',
  }),
);

function chunk(delta: Record<string, unknown>, finishReason: string | null, usage: boolean | 'only'): string {
  const body =
    usage === 'only'
      ? { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model: MODEL, choices: [], usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 } }
      : {
          id: 'chatcmpl-bench',
          object: 'chat.completion.chunk',
          created: CREATED,
          model: MODEL,
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
          ...(usage ? { usage: null } : {}),
        };
  return `data: ${JSON.stringify(body)}\n\n`;
}

const WORDS = [' from', ' the', ' bench', ' upstream', '.'];

/** The stream as [first event, rest], with and without the usage chunk include_usage asks for. */
function sse(includeUsage: boolean): [Buffer, Buffer] {
  const first = chunk({ role: 'assistant', content: 'Hello', refusal: null }, null, includeUsage);
  let rest = WORDS.map((word) => chunk({ content: word }, null, includeUsage)).join('');
  rest += chunk({}, 'stop', includeUsage);
  if (includeUsage) rest += chunk({}, null, 'only');
  rest += 'data: [DONE]\n\n';
  return [Buffer.from(first), Buffer.from(rest)];
}

const STREAM_PLAIN = sse(false);
const STREAM_WITH_USAGE = sse(true);

function answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
  if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"not found","type":"invalid_request_error","code":null}}');
    return;
  }
  // A substring test, not JSON.parse: the upstream's own cost should be as small and constant as possible.
  if (!/"stream"\s*:\s*true/.test(body)) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(JSON_ANSWER.length), 'x-request-id': 'req_bench' });
    res.end(JSON_ANSWER);
    return;
  }
  const [first, rest] = /"include_usage"\s*:\s*true/.test(body) ? STREAM_WITH_USAGE : STREAM_PLAIN;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': 'req_bench' });
  res.write(first);
  const timer = setTimeout(() => res.end(rest), REST_OF_STREAM_DELAY_MS);
  res.on('close', () => clearTimeout(timer));
}

export function startBenchUpstream(port = 0): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => answer(req, res, Buffer.concat(parts).toString('utf8')));
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (require.main === module) {
  void startBenchUpstream().then((server) => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
    process.on('SIGTERM', () => server.close(() => process.exit(0)));
  });
}
