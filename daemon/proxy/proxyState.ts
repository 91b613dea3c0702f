// The proxy's long-lived parts for one daemon: the upstream connection pool, the concurrency gates,
// the override and cache stores, and tunables (tests shorten the timeouts and the queue).
import { Agent } from 'undici';
import type { DaemonContext } from '../daemonContext';
import { GATE_DEFAULTS, GateRegistry, type GateOptions } from './concurrencyGate';
import { OverrideStore } from './overrideStore';
import { RecordQueue } from './recordQueue';
import { ResponseCache } from './responseCache';

export interface ProxyOptions {
  /**
   * Longest wait for the upstream's response headers, and for each next piece of its body. Long
   * non-streamed reasoning calls can take many minutes; openai-node itself waits 10.
   */
  upstreamTimeoutMs: number;
  gate: GateOptions;
}

export const PROXY_DEFAULTS: ProxyOptions = { upstreamTimeoutMs: 10 * 60_000, gate: GATE_DEFAULTS };

export interface ProxyState {
  agent: Agent;
  gates: GateRegistry;
  overrides: OverrideStore;
  cache: ResponseCache;
  /** Call records waiting for their batch; flush() writes them now (tests, shutdown). */
  records: RecordQueue;
  options: ProxyOptions;
  close(): Promise<void>;
}

const states = new WeakMap<DaemonContext, ProxyState>();

export function createProxyState(ctx: DaemonContext, options: ProxyOptions = PROXY_DEFAULTS): ProxyState {
  // undici's own 300 s defaults would cut long calls; the per-request timeouts below govern instead.
  const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, headersTimeout: 0, bodyTimeout: 0, connections: 256 });
  const cache = new ResponseCache(ctx.db);
  const state: ProxyState = {
    agent,
    gates: new GateRegistry(options.gate),
    overrides: new OverrideStore(ctx.db),
    cache,
    records: new RecordQueue(ctx.db, ctx.writer, cache, ctx.logger),
    options: { ...options, gate: { ...options.gate } },
    async close() {
      state.gates.close();
      state.records.flush();
      await agent.close();
    },
  };
  state.gates.options = state.options.gate;
  states.set(ctx, state);
  return state;
}

/** The proxy state of a running daemon (tests use it to tune timeouts and queue sizes). */
export function proxyStateFor(ctx: DaemonContext): ProxyState {
  const state = states.get(ctx);
  if (!state) throw new Error('the proxy routes are not registered on this daemon');
  return state;
}
