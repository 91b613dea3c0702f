// The load generator: POSTs pre-built bodies over a few keep-alive connections (undici Pool) with a
// fixed number of requests in flight, and measures throughput and per-request latency. The same
// client drives the daemon and the bare-HTTP baseline, so their ratio isolates the server's cost.
import { Pool } from 'undici';

export interface LoadOptions {
  origin: string;
  path: string;
  headers: Record<string, string>;
  bodies: readonly Buffer[];
  /** Spans carried by each body (same order). */
  spansPerBody: readonly number[];
  /** Index range of bodies to send: [from, to). */
  from?: number;
  to?: number;
  connections: number;
  inFlight: number;
  /** Returns a problem description when a 200 answer is not the expected full success. */
  checkAnswer?: (body: Buffer) => string | null;
}

export interface LatencySummary {
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LoadResult {
  requests: number;
  spans: number;
  bytes: number;
  seconds: number;
  spansPerSecond: number;
  requestsPerSecond: number;
  megabytesPerSecond: number;
  latency: LatencySummary;
  /** Spans/s over the first and the last fifth of the requests: a drop means cost growing with the store. */
  spansPerSecondFirstFifth: number;
  spansPerSecondLastFifth: number;
  failures: number;
  firstFailure: string | null;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function summarizeLatencies(values: number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((acc, v) => acc + v, 0) / Math.max(1, sorted.length);
  return {
    meanMs: mean,
    p50Ms: percentile(sorted, 0.5),
    p90Ms: percentile(sorted, 0.9),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export async function driveLoad(options: LoadOptions): Promise<LoadResult> {
  const from = options.from ?? 0;
  const to = options.to ?? options.bodies.length;
  const pool = new Pool(options.origin, { connections: options.connections, pipelining: 1 });
  const latencies: number[] = [];
  const completions: Array<{ at: number; spans: number }> = [];
  let next = from;
  let spans = 0;
  let bytes = 0;
  let failures = 0;
  let firstFailure: string | null = null;
  const fail = (problem: string) => {
    failures++;
    firstFailure ??= problem;
  };

  const worker = async (): Promise<void> => {
    while (next < to) {
      const index = next++;
      const body = options.bodies[index];
      const started = performance.now();
      try {
        const response = await pool.request({ path: options.path, method: 'POST', headers: options.headers, body });
        const answer = Buffer.from(await response.body.arrayBuffer());
        latencies.push(performance.now() - started);
        if (response.statusCode !== 200) {
          fail(`HTTP ${response.statusCode}: ${answer.toString('utf8', 0, 300)}`);
          continue;
        }
        const problem = options.checkAnswer?.(answer) ?? null;
        if (problem !== null) fail(problem);
        spans += options.spansPerBody[index];
        bytes += body.length;
        completions.push({ at: performance.now(), spans: options.spansPerBody[index] });
      } catch (error) {
        fail((error as Error).message);
      }
    }
  };

  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: options.inFlight }, () => worker()));
  } finally {
    await pool.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const fifth = Math.max(1, Math.floor(completions.length / 5));
  const rateOver = (part: Array<{ at: number; spans: number }>, since: number) =>
    part.length === 0 ? Number.NaN : part.reduce((acc, c) => acc + c.spans, 0) / ((part[part.length - 1].at - since) / 1000);
  const firstFifth = completions.slice(0, fifth);
  const lastFifth = completions.slice(-fifth);
  return {
    requests: to - from,
    spans,
    bytes,
    seconds,
    spansPerSecond: spans / seconds,
    requestsPerSecond: (to - from) / seconds,
    megabytesPerSecond: bytes / 1e6 / seconds,
    latency: summarizeLatencies(latencies),
    spansPerSecondFirstFifth: rateOver(firstFifth, started),
    spansPerSecondLastFifth: completions.length > fifth ? rateOver(lastFifth.slice(1), lastFifth[0].at) : Number.NaN,
    failures,
    firstFailure,
  };
}
