// A fake upstream, a daemon proxying to it, and openai clients pointed at either, for the proxy tests.
import type Database from 'better-sqlite3';
import OpenAI from 'openai';
import { proxyStateFor, type ProxyState } from '../../../daemon/proxy/proxyState';
import { startTestDaemon, type TestDaemon } from '../../support/daemonHarness';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fakeOpenAI';

export const API_KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';

export interface ProxyRig {
  fake: FakeOpenAI;
  daemon: TestDaemon;
  db: Database.Database;
  proxy: ProxyState;
  proxyBaseURL: string;
  /** A client going through the proxy, as worker `worker` (and run `run` when given). */
  viaProxy(options?: { worker?: string; run?: string; prompt?: string; maxRetries?: number; timeout?: number }): OpenAI;
  direct(options?: { maxRetries?: number }): OpenAI;
  stop(): Promise<void>;
}

/** Record queues of the running rigs: reads of the store flush them first (the proxy writes in batches). */
const recordQueues = new Set<{ flush(): void }>();

function flushRecords(): void {
  for (const queue of recordQueues) queue.flush();
}

export async function startProxyRig(options: { dataDir?: string; fake?: FakeOpenAI } = {}): Promise<ProxyRig> {
  const fake = options.fake ?? (await startFakeOpenAI());
  const daemon = await startTestDaemon({ upstream: fake.baseURL, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  const proxyBaseURL = `${daemon.url}/openai/v1`;
  const proxy = proxyStateFor(daemon.daemon.ctx);
  recordQueues.add(proxy.records);
  return {
    fake,
    daemon,
    db: daemon.daemon.ctx.db,
    proxy,
    proxyBaseURL,
    viaProxy: ({ worker, run, prompt, maxRetries = 0, timeout } = {}) =>
      new OpenAI({
        apiKey: API_KEY,
        baseURL: proxyBaseURL,
        maxRetries,
        timeout,
        defaultHeaders: {
          'x-flowtune-token': daemon.token,
          ...(worker ? { 'x-flowtune-worker': worker } : {}),
          ...(run ? { 'x-flowtune-run': run } : {}),
          ...(prompt ? { 'x-flowtune-prompt': prompt } : {}),
        },
      }),
    direct: ({ maxRetries = 0 } = {}) => new OpenAI({ apiKey: API_KEY, baseURL: fake.baseURL, maxRetries }),
    stop: async () => {
      recordQueues.delete(proxy.records);
      await daemon.stop();
      if (!options.fake) await fake.close();
    },
  };
}

export interface CallRow {
  id: string;
  run_id: string | null;
  worker: string | null;
  source: string;
  operation: string;
  request_model: string | null;
  response_model: string | null;
  temperature: number | null;
  max_tokens: number | null;
  top_p: number | null;
  stream: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  cost_source: string | null;
  latency_ms: number | null;
  ttft_ms: number | null;
  finish_reason: string | null;
  status: string;
  http_status: number | null;
  error_type: string | null;
  error_message: string | null;
  prompt_id: string | null;
  prompt_version: string | null;
  prompt_fingerprint: string | null;
  input_text: string | null;
  output_text: string | null;
  cache_hit: number | null;
  variant: string | null;
  retry_count: number | null;
}

export function callRow(db: Database.Database, id: string): CallRow | undefined {
  flushRecords();
  return db.prepare('SELECT * FROM calls WHERE id = ?').get(id) as CallRow | undefined;
}

export function allCalls(db: Database.Database): CallRow[] {
  flushRecords();
  return db.prepare('SELECT * FROM calls ORDER BY started_at, rowid').all() as CallRow[];
}

/** Polls until `check` returns a value (the proxy records right after the response ends). */
export async function waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The call row for a response that carried x-flowtune-call-id. */
export function waitForCall(db: Database.Database, id: string | null | undefined): Promise<CallRow> {
  if (!id) throw new Error('the response carried no x-flowtune-call-id');
  return waitFor(() => callRow(db, id), `call ${id}`);
}
