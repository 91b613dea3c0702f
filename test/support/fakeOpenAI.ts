// The one fake in Flowtune's tests: a deterministic OpenAI-compatible upstream on loopback.
// Chat completions (JSON and SSE, with include_usage; a tool call when the request offers tools and
// has no tool result yet), responses (JSON and SSE), embeddings, models, gzip when the client
// accepts it, and switchable faults for the proxy tests.
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';

export type Fault =
  | { kind: 'none' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'rate_limit'; retryAfterSeconds: number }
  | { kind: 'reset_mid_stream' }
  | { kind: 'malformed_sse' }
  | { kind: 'malformed_json' }
  | { kind: 'server_error'; status: number }
  /** Never answers (for timeouts). */
  | { kind: 'hang' }
  /** Closes the connection before any response. */
  | { kind: 'drop_connection' }
  /** Streams with a pause between events (for client cancellation mid-stream). */
  | { kind: 'slow_stream'; intervalMs: number }
  /** Streams with CRLF line endings, each write cut into pieces of `chunkBytes` bytes (splitting UTF-8 characters). */
  | { kind: 'split_stream'; chunkBytes: number; crlf: boolean }
  /** Streams gzip-compressed SSE when the client accepts gzip. */
  | { kind: 'gzip_stream' };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What a custom chat responder answers instead of the echo (non-streamed chat completions only). */
export interface ChatReply {
  content?: string | null;
  refusal?: string | null;
  finishReason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** Decides a chat reply from the parsed request body; undefined falls through to the usual echo. */
export type ChatResponder = (body: Record<string, unknown>) => ChatReply | undefined;

export interface FakeOpenAI {
  url: string;
  /** Base URL for the openai client: `${url}/v1`. */
  baseURL: string;
  requests: RecordedRequest[];
  /** Misbehave from now on; with `times`, only for that many requests, then behave again. */
  setFault(fault: Fault, times?: number): void;
  /** Requests being answered right now (the proxy's concurrency limit is visible here). */
  inflight(): number;
  maxInflight(): number;
  /** Answers chat completions through `responder` (e.g. structured outputs); null restores the echo. */
  setChatResponder(responder: ChatResponder | null): void;
  close(): Promise<void>;
}

export const FAKE_REPLY = 'Hello from the fake upstream';
/** The usage every chat completion reports (streamed: in the include_usage chunk). */
export const USAGE = { prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 };
/** The usage of a reply that calls a tool. */
export const TOOL_USAGE = { prompt_tokens: 23, completion_tokens: 9, total_tokens: 32 };
/** The usage every Responses API answer reports. */
export const RESPONSES_USAGE = { input_tokens: 13, output_tokens: 7, total_tokens: 20 };
/** The tool call answered when a request offers tools: the first tool, with these arguments. */
export const TOOL_ARGUMENTS = '{"city":"Paris"}';

/** The first offered tool's name, when the request offers tools and holds no tool result yet. */
function toolToCall(body: Record<string, unknown>): string | undefined {
  const tools = body.tools as Array<{ type?: string; function?: { name?: string }; name?: string }> | undefined;
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  const messages = body.messages as Array<{ role: string }> | undefined;
  if (messages?.some((m) => m.role === 'tool')) return undefined;
  return tools[0].function?.name ?? tools[0].name;
}

/** Deterministic reply text: echoes a digest of the last user message so different inputs differ. */
export function replyFor(messages: Array<{ role: string; content: unknown }> | undefined): string {
  const last = messages?.filter((m) => m.role === 'user').at(-1);
  const text = typeof last?.content === 'string' ? last.content : '';
  return text ? `${FAKE_REPLY}: ${text.slice(0, 40)}` : FAKE_REPLY;
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  let fault: Fault = { kind: 'none' };
  let faultRemaining = Infinity;
  let inflight = 0;
  let maxInflight = 0;
  const requests: RecordedRequest[] = [];
  let chatResponder: ChatResponder | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
      // The daemon's own look at the model list (asked when a call names a model it cannot price) is
      // not a model call: faults and the in-flight count apply to model calls only.
      if (req.method === 'GET' && (req.url ?? '').split('?')[0].endsWith('/models')) return void handle(req, res, body, { kind: 'none' }, chatResponder);
      const current: Fault = fault;
      if (fault.kind !== 'none' && --faultRemaining <= 0) {
        fault = { kind: 'none' };
        faultRemaining = Infinity;
      }
      inflight++;
      maxInflight = Math.max(maxInflight, inflight);
      let counted = true;
      res.on('close', () => {
        if (counted) inflight--;
        counted = false;
      });
      void handle(req, res, body, current, chatResponder);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    requests,
    setFault(next, times) {
      fault = next;
      faultRemaining = times ?? Infinity;
    },
    inflight: () => inflight,
    maxInflight: () => maxInflight,
    setChatResponder(responder) {
      chatResponder = responder;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendJson(req: http.IncomingMessage, res: http.ServerResponse, status: number, payload: unknown, extraHeaders: Record<string, string> = {}) {
  const text = JSON.stringify(payload);
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': 'req_fake_1', ...extraHeaders };
  if (gzip) {
    const compressed = zlib.gzipSync(text);
    res.writeHead(status, { ...headers, 'content-encoding': 'gzip', 'content-length': String(compressed.length) });
    res.end(compressed);
  } else {
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  }
}

function errorPayload(message: string, type: string, code: string | null) {
  return { error: { message, type, param: null, code } };
}

/**
 * A response id that differs between requests and is the same for the same request, so direct and
 * proxied answers compare equal (stream_options left out: the proxy may add include_usage).
 */
function responseIdFor(prefix: string, rawBody: string): string {
  let canonical = rawBody;
  try {
    canonical = JSON.stringify({ ...(JSON.parse(rawBody) as Record<string, unknown>), stream_options: undefined });
  } catch {
    // not JSON: the raw bytes
  }
  return `${prefix}${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}

function chatCompletion(id: string, model: string, message: Record<string, unknown>, finishReason: string, usage: typeof USAGE) {
  return {
    id,
    object: 'chat.completion',
    created: 1700000000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...message }, finish_reason: finishReason, logprobs: null }],
    usage,
  };
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string, fault: Fault, chatResponder: ChatResponder | null): Promise<void> {
  if (fault.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  if (fault.kind === 'hang') return;
  if (fault.kind === 'drop_connection') {
    res.socket?.destroy();
    return;
  }
  if (fault.kind === 'rate_limit') {
    sendJson(req, res, 429, errorPayload('Rate limit reached', 'requests', 'rate_limit_exceeded'), {
      'retry-after': String(fault.retryAfterSeconds),
    });
    return;
  }
  if (fault.kind === 'server_error') {
    sendJson(req, res, fault.status, errorPayload('The server had an error', 'server_error', null));
    return;
  }
  const path = (req.url ?? '/').split('?')[0];
  let body: Record<string, unknown> = {};
  if (rawBody) {
    try {
      body = JSON.parse(rawBody) as Record<string, unknown>;
    } catch {
      sendJson(req, res, 400, errorPayload('We could not parse the JSON body of your request.', 'invalid_request_error', null));
      return;
    }
  }
  if (path === '/v1/models' && req.method === 'GET') {
    sendJson(req, res, 200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1700000000, owned_by: 'fake' }] });
    return;
  }
  if (path === '/v1/embeddings') {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    sendJson(req, res, 200, {
      object: 'list',
      model: body.model,
      data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3, 0.4] })),
      usage: { prompt_tokens: 4 * inputs.length, total_tokens: 4 * inputs.length },
    });
    return;
  }
  if (path === '/v1/chat/completions') {
    const model = String(body.model ?? '');
    if (model === 'fail-model') {
      sendJson(req, res, 400, errorPayload(`The model \`${model}\` does not exist`, 'invalid_request_error', 'model_not_found'));
      return;
    }
    const custom = body.stream !== true && chatResponder ? chatResponder(body) : undefined;
    if (custom) {
      sendJson(req, res, 200, {
        id: responseIdFor('chatcmpl-', rawBody),
        object: 'chat.completion',
        created: 1700000000,
        model: `${model}-2024-07-18`,
        choices: [{ index: 0, message: { role: 'assistant', content: custom.content ?? null, refusal: custom.refusal ?? null }, finish_reason: custom.finishReason ?? 'stop', logprobs: null }],
        usage: custom.usage ?? USAGE,
      });
      return;
    }
    const messages = body.messages as Array<{ role: string; content: unknown }> | undefined;
    const text = replyFor(messages);
    const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : typeof body.max_completion_tokens === 'number' ? body.max_completion_tokens : undefined;
    const finishReason = maxTokens !== undefined && maxTokens < USAGE.completion_tokens ? 'length' : 'stop';
    const responseModel = `${model}-2024-07-18`;
    const tool = toolToCall(body);
    if (tool !== undefined) {
      const toolCall = { id: 'call_fake_1', type: 'function', function: { name: tool, arguments: TOOL_ARGUMENTS } };
      if (body.stream === true) {
        const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
        const base = { id: responseIdFor('chatcmpl-', rawBody), object: 'chat.completion.chunk', created: 1700000000, model: responseModel };
        const usageField = includeUsage ? { usage: null } : {};
        const events = [
          { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, ...toolCall, function: { name: tool, arguments: '' } }] }, finish_reason: null }], ...usageField },
          { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: TOOL_ARGUMENTS } }] }, finish_reason: null }], ...usageField },
          { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }], ...usageField },
          ...(includeUsage ? [{ ...base, choices: [], usage: TOOL_USAGE }] : []),
        ];
        sendSse(res, events.map((e) => JSON.stringify(e)));
        return;
      }
      sendJson(req, res, 200, chatCompletion(responseIdFor('chatcmpl-', rawBody), responseModel, { content: null, tool_calls: [toolCall] }, 'tool_calls', TOOL_USAGE));
      return;
    }
    if (body.stream === true) {
      const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      streamChat(res, responseIdFor('chatcmpl-', rawBody), text, responseModel, finishReason, (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true, fault, acceptsGzip);
      return;
    }
    if (fault.kind === 'malformed_json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "chatcmpl-broken", "choices": [');
      return;
    }
    sendJson(req, res, 200, chatCompletion(responseIdFor('chatcmpl-', rawBody), responseModel, { content: text }, finishReason, USAGE));
    return;
  }
  if (path === '/v1/responses') {
    const message = { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: FAKE_REPLY, annotations: [] }] };
    const response = {
      id: responseIdFor('resp_', rawBody),
      object: 'response',
      created_at: 1700000000,
      status: 'completed',
      model: `${String(body.model)}-2024-07-18`,
      output: [message],
      usage: { ...RESPONSES_USAGE, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
    };
    if (body.stream === true) {
      // Typed events as OpenAI sends them; the usage arrives only in response.completed.
      const inProgress = { ...response, status: 'in_progress', output: [], usage: null };
      const pieces = FAKE_REPLY.match(/.{1,6}/gsu) ?? [FAKE_REPLY];
      const events: Record<string, unknown>[] = [
        { type: 'response.created', response: inProgress },
        { type: 'response.in_progress', response: inProgress },
        { type: 'response.output_item.added', output_index: 0, item: { ...message, status: 'in_progress', content: [] } },
        { type: 'response.content_part.added', item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } },
        ...pieces.map((delta) => ({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta })),
        { type: 'response.output_text.done', item_id: 'msg_1', output_index: 0, content_index: 0, text: FAKE_REPLY },
        { type: 'response.content_part.done', item_id: 'msg_1', output_index: 0, content_index: 0, part: message.content[0] },
        { type: 'response.output_item.done', output_index: 0, item: message },
        { type: 'response.completed', response },
      ];
      sendSse(res, events.map((e, i) => JSON.stringify({ ...e, sequence_number: i })), (e) => (JSON.parse(e) as { type: string }).type);
      return;
    }
    sendJson(req, res, 200, response);
    return;
  }
  sendJson(req, res, 404, errorPayload(`Unknown path ${path}`, 'invalid_request_error', 'unknown_url'));
}

/** Sends SSE events 2 ms apart; with `eventName`, each gets an `event:` line (the Responses API's form). */
function sendSse(res: http.ServerResponse, events: string[], eventName?: (event: string) => string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': 'req_fake_stream' });
  let index = 0;
  const next = () => {
    if (res.destroyed) return;
    if (index < events.length) {
      const event = events[index++];
      res.write(`${eventName ? `event: ${eventName(event)}\n` : ''}data: ${event}\n\n`);
      setTimeout(next, 2);
      return;
    }
    res.end(eventName ? '' : 'data: [DONE]\n\n');
  };
  next();
}

function streamChat(
  res: http.ServerResponse,
  id: string,
  text: string,
  model: string,
  finishReason: string,
  includeUsage: boolean,
  fault: Fault,
  acceptsGzip: boolean,
): void {
  const gzip = fault.kind === 'gzip_stream' && acceptsGzip;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-request-id': 'req_fake_stream',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  const compressor = gzip ? zlib.createGzip({ flush: zlib.constants.Z_SYNC_FLUSH }) : null;
  if (compressor) compressor.pipe(res);
  const out = (data: string, end = false) => {
    if (compressor) {
      compressor.write(data);
      if (end) compressor.end();
      return;
    }
    if (fault.kind === 'split_stream') {
      const bytes = Buffer.from(data);
      for (let at = 0; at < bytes.length; at += fault.chunkBytes) res.write(bytes.subarray(at, at + fault.chunkBytes));
      if (end) res.end();
      return;
    }
    if (end) res.end(data);
    else res.write(data);
  };
  const newline = fault.kind === 'split_stream' && fault.crlf ? '\r\n' : '\n';
  const base = { id, object: 'chat.completion.chunk', created: 1700000000, model };
  // Like OpenAI: with include_usage every chunk carries "usage": null and a last chunk has the usage.
  const usageField = includeUsage ? { usage: null } : {};
  const pieces = text.match(/.{1,6}/gsu) ?? [text];
  const events: string[] = [];
  events.push(JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], ...usageField }));
  for (const piece of pieces) events.push(JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }], ...usageField }));
  events.push(JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finishReason }], ...usageField }));
  if (includeUsage) events.push(JSON.stringify({ ...base, choices: [], usage: USAGE }));
  let index = 0;
  const interval = fault.kind === 'slow_stream' ? fault.intervalMs : 2;
  const next = () => {
    if (res.destroyed) return;
    if (fault.kind === 'reset_mid_stream' && index === 2) {
      res.socket?.destroy();
      return;
    }
    if (index < events.length) {
      const payload = fault.kind === 'malformed_sse' && index === 1 ? '{"broken": ' : events[index];
      out(`data: ${payload}${newline}${newline}`);
      index++;
      setTimeout(next, interval);
      return;
    }
    out(`data: [DONE]${newline}${newline}`, true);
  };
  next();
}
