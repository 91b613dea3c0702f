// A second simulated provider, unlike the demo's (daemon/demo/simulatedProvider.ts): its own model
// names that no price table knows, priced only in its own GET /v1/models listing (OpenRouter-style
// `pricing` strings, USD per token), a helpdesk pipeline of other tasks, and other traps:
//
//  - Models: `lumen-pro` ($3 / $12 per million tokens in / out), `lumen-lite` ($0.25 / $1),
//    `lumen-nano` ($0.05 / $0.2; good only at the one-word triage label).
//  - Tasks (recognised from the system prompt):
//      triage     one label; every model is right                         (the app checks the label)
//      extract    a JSON record; pro and lite alike, nano often drops a field
//      translate  TRAP: lite is as good as pro on Latin-script tickets, but answers them in
//                 English for non-Latin scripts (about 30% of tickets) — fine on average at first
//                 glance, broken on that subset
//      reply      TRAP: reads fine whatever the model (no rule can tell); only the customer's
//                 rating, posted as feedback, shows that lite's replies satisfy less
//      summarize  a long static system prompt full of repeated boilerplate; 5% of inputs make any
//                 model ramble until max_tokens (finish_reason "length")
//  - Usage: input tokens = ceil(characters / 4); output likewise, capped by max_tokens.
//  - The bill: every answered request adds its cost at the listed prices (billedUsd()).
// Deterministic: outputs depend on the input text and the model only (no shared random stream), so
// concurrency does not change what a request gets.
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export const LUMEN_PRICES: Record<string, { input: number; output: number }> = {
  'lumen-pro': { input: 3e-6, output: 12e-6 },
  'lumen-lite': { input: 0.25e-6, output: 1e-6 },
  'lumen-nano': { input: 0.05e-6, output: 0.2e-6 },
};

export type HelpdeskTask = 'triage' | 'extract' | 'translate' | 'reply' | 'summarize' | 'other';

export function helpdeskTask(system: string): HelpdeskTask {
  const s = system.toLowerCase();
  if (s.includes('triage')) return 'triage';
  if (s.includes('extract')) return 'extract';
  if (s.includes('translat')) return 'translate';
  if (s.includes('support reply')) return 'reply';
  if (s.includes('summar')) return 'summarize';
  return 'other';
}

/** A number in [0, 1) fixed by a text and a purpose: the same for every model and every time. */
export function share(text: string, purpose: string): number {
  return createHash('sha256').update(purpose).update('\0').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

export function nonLatin(text: string): boolean {
  return /[\u0370-\u03ff\u0400-\u04ff\u3040-\u30ff\u4e00-\u9fff]/.test(text);
}

function answer(task: HelpdeskTask, model: string, user: string): { content: string; rambles: boolean } {
  const ticket = /ticket:\s*([^\n]+)/i.exec(user)?.[1]?.trim() ?? user.slice(0, 80);
  const nano = model === 'lumen-nano';
  const lite = model === 'lumen-lite';
  switch (task) {
    case 'triage': {
      const labels = ['billing', 'bug', 'account', 'feature'];
      return { content: labels[Math.floor(share(ticket, 'label') * labels.length)], rambles: false };
    }
    case 'extract': {
      const record: Record<string, string> = { customer: `c-${Math.floor(share(ticket, 'cust') * 1e4)}`, product: 'lumen', severity: share(ticket, 'sev') < 0.3 ? 'high' : 'normal' };
      if (nano && share(ticket, 'nano-extract') < 0.5) delete record.severity;
      return { content: JSON.stringify(record), rambles: false };
    }
    case 'translate': {
      const english = !nonLatin(ticket) || (!lite && !nano);
      return { content: english ? `EN: ${ticket.replace(/[^\x20-\x7e]+/g, '~')} (translated)` : `${ticket} (could not translate)`, rambles: false };
    }
    case 'reply':
      return { content: `Hello, thanks for reaching out about "${ticket.slice(0, 40)}". We have looked into it and here is what to do next.`, rambles: false };
    case 'summarize': {
      const text = `Summary: the customer reports ${ticket.slice(0, 60)}.`;
      if (share(ticket, 'ramble') < 0.05) return { content: `${text} ${'And there is more to say about it; '.repeat(600)}`, rambles: true };
      return { content: text, rambles: false };
    }
    default:
      return { content: 'ok', rambles: false };
  }
}

/** The customer's satisfaction with a reply (1–5): what only feedback can show. */
export function customerRating(model: string, ticket: string): number {
  const u = share(ticket, `rating-${model}`);
  if (model === 'lumen-pro') return u < 0.55 ? 5 : u < 0.9 ? 4 : 3;
  return u < 0.15 ? 5 : u < 0.45 ? 4 : u < 0.8 ? 3 : 2;
}

export interface HelpdeskProvider {
  baseURL: string;
  billedUsd(): number;
  requests(): number;
  close(): Promise<void>;
}

export async function startHelpdeskProvider(): Promise<HelpdeskProvider> {
  let billed = 0;
  let served = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path.endsWith('/models')) {
        return send(res, 200, {
          object: 'list',
          data: Object.entries(LUMEN_PRICES).map(([id, p]) => ({ id, object: 'model', owned_by: 'lumen', pricing: { prompt: String(p.input), completion: String(p.output) } })),
        });
      }
      if (!path.endsWith('/chat/completions')) return send(res, 404, { error: { message: `unknown path ${path}`, type: 'invalid_request_error', code: 'unknown_url' } });
      let body: { model?: string; messages?: Array<{ role: string; content: unknown }>; max_tokens?: number };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        return send(res, 400, { error: { message: 'invalid JSON', type: 'invalid_request_error', code: null } });
      }
      const model = String(body.model ?? '');
      const price = LUMEN_PRICES[model];
      if (!price) return send(res, 404, { error: { message: `model ${model} not found`, type: 'invalid_request_error', code: 'model_not_found' } });
      served++;
      const messages = body.messages ?? [];
      const text = (m: { content: unknown }) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content));
      const system = messages.filter((m) => m.role === 'system').map(text).join('\n');
      const user = messages.filter((m) => m.role === 'user').map(text).join('\n');
      const generated = answer(helpdeskTask(system), model, user);
      let content = generated.content;
      const inputTokens = Math.ceil(messages.map(text).join('\n').length / 4);
      let outputTokens = Math.ceil(content.length / 4);
      let finish = 'stop';
      const cap = typeof body.max_tokens === 'number' ? body.max_tokens : 4096;
      if (outputTokens > cap) {
        outputTokens = cap;
        content = content.slice(0, cap * 4);
        finish = 'length';
      }
      billed += inputTokens * price.input + outputTokens * price.output;
      send(res, 200, {
        id: `cmpl-lumen-${served}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: finish, logprobs: null }],
        usage: { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    billedUsd: () => billed,
    requests: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, status: number, payload: unknown): void {
  const t = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(t)) });
  res.end(t);
}
