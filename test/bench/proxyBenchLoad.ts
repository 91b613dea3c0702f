// Open-loop load for the proxy bench: requests leave on a fixed schedule (request i at start + i/rate)
// whatever happened to the earlier ones, and each latency is measured from its scheduled send time,
// so a stall anywhere (load generator included) shows up in the figures instead of silently
// delaying the next sends (coordinated omission). The schedule is split into blocks that alternate
// between targets in an ABBA order, so direct and proxied calls share the same minutes of machine load.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface Target {
  name: string;
  pool: Pool;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface Sample {
  /** ms from the scheduled send to the first body byte (the first SSE event for streams). */
  firstByteMs: number;
  /** ms from the scheduled send to the end of the body. */
  totalMs: number;
}

export interface TargetSamples {
  samples: Sample[];
  failures: number;
  firstFailure: string | null;
}

export interface OpenLoopOptions {
  rate: number;
  requests: number;
  targets: Target[];
  /** Requests per block before switching target. */
  blockSize: number;
  /** Called with the number of requests scheduled so far, about every `progressEvery` sends. */
  onProgress?: (scheduled: number) => void;
  progressEvery?: number;
}

export interface OpenLoopResult {
  byTarget: Map<string, TargetSamples>;
  /** Worst lateness of the sender against its own schedule (ms): a loaded generator shows here. */
  maxSendLagMs: number;
  seconds: number;
}

/** ABBA, BAAB, …: each target is first as often as second, which cancels a slow drift in load. */
export function blockTarget(block: number, targetCount: number): number {
  if (targetCount === 1) return 0;
  const pattern = [0, 1, 1, 0];
  return pattern[block % 4] % targetCount;
}

function sendOne(target: Target, scheduledAt: number, into: TargetSamples): Promise<void> {
  return target.pool
    .request({ method: 'POST', path: target.path, headers: target.headers, body: target.body })
    .then(async (response) => {
      let firstByteMs = -1;
      for await (const part of response.body) {
        if (firstByteMs < 0 && (part as Buffer).length > 0) firstByteMs = performance.now() - scheduledAt;
      }
      const totalMs = performance.now() - scheduledAt;
      if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
      into.samples.push({ firstByteMs: firstByteMs < 0 ? totalMs : firstByteMs, totalMs });
    })
    .catch((error: unknown) => {
      into.failures++;
      into.firstFailure ??= (error as Error).message;
    });
}

export function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const byTarget = new Map<string, TargetSamples>(options.targets.map((t) => [t.name, { samples: [], failures: 0, firstFailure: null }]));
  const intervalMs = 1000 / options.rate;
  const start = performance.now() + 10;
  const pending = new Set<Promise<void>>();
  let next = 0;
  let maxSendLagMs = 0;
  const progressEvery = options.progressEvery ?? 10_000;
  return new Promise((resolve) => {
    const finish = () => {
      void Promise.all(pending).then(() => resolve({ byTarget, maxSendLagMs, seconds: (performance.now() - start) / 1000 }));
    };
    const tick = () => {
      const now = performance.now();
      while (next < options.requests && start + next * intervalMs <= now) {
        const scheduledAt = start + next * intervalMs;
        maxSendLagMs = Math.max(maxSendLagMs, now - scheduledAt);
        const target = options.targets[blockTarget(Math.floor(next / options.blockSize), options.targets.length)];
        const done = sendOne(target, scheduledAt, byTarget.get(target.name) as TargetSamples);
        pending.add(done);
        void done.then(() => pending.delete(done));
        next++;
        if (options.onProgress && next % progressEvery === 0) options.onProgress(next);
      }
      if (next >= options.requests) finish();
      // Timers fire no sooner than 1 ms: requests due meanwhile leave together on the next tick,
      // and their lateness counts in their latency.
      else setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()));
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export interface LatencyFigures {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function latencyFigures(values: number[]): LatencyFigures {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
}
