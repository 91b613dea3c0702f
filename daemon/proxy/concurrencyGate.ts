// A bounded queue in front of one upstream model, admitting as many requests as the adaptive limit
// allows. A 429 pauses the whole gate until the provider's Retry-After has passed, instead of each
// caller sleeping on its own; a full queue refuses at once so the caller can back off.
import { AdaptiveLimit, type AdaptiveLimitOptions, type SampleOutcome } from './adaptiveLimit';

export interface GateOptions {
  limit: Partial<AdaptiveLimitOptions>;
  /** Requests that may wait beyond the limit; one more is refused. */
  maxQueue: number;
  /** Longest pause a Retry-After may impose (a hostile or mistaken header must not freeze the proxy). */
  maxPauseMs: number;
}

export const GATE_DEFAULTS: GateOptions = { limit: {}, maxQueue: 1000, maxPauseMs: 60_000 };

export class QueueFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('the proxy queue for this upstream model is full');
  }
}

export class QueueAbortedError extends Error {
  constructor() {
    super('the client went away while the request was queued');
  }
}

interface Waiter {
  resolve: (permit: GatePermit) => void;
  reject: (error: Error) => void;
  onAbort?: () => void;
  signal?: AbortSignal;
}

export interface GatePermit {
  startedAt: number;
}

export interface GateSnapshot {
  limit: number;
  inflight: number;
  queued: number;
  maxQueue: number;
  pausedForMs: number;
  completed: number;
  rateLimited: number;
  timeouts: number;
  refused: number;
}

export class ConcurrencyGate {
  readonly limiter: AdaptiveLimit;
  private inflight = 0;
  private readonly waiting: Waiter[] = [];
  private pausedUntil = 0;
  private resumeTimer: NodeJS.Timeout | null = null;
  private counters = { completed: 0, rateLimited: 0, timeouts: 0, refused: 0 };

  constructor(
    readonly options: GateOptions = GATE_DEFAULTS,
    private readonly now: () => number = Date.now,
  ) {
    this.limiter = new AdaptiveLimit(options.limit);
  }

  /** Resolves when the request may go upstream; throws QueueFullError at once when it may not wait. */
  acquire(signal?: AbortSignal): Promise<GatePermit> {
    if (signal?.aborted) return Promise.reject(new QueueAbortedError());
    if (!this.isPaused() && this.inflight < this.limiter.limit && this.waiting.length === 0) {
      this.inflight++;
      return Promise.resolve({ startedAt: this.now() });
    }
    if (this.waiting.length >= this.options.maxQueue) {
      this.counters.refused++;
      return Promise.reject(new QueueFullError(Math.max(1, Math.ceil(this.pauseRemainingMs() / 1000))));
    }
    return new Promise<GatePermit>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.waiting.indexOf(waiter);
          if (index !== -1) this.waiting.splice(index, 1);
          reject(new QueueAbortedError());
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiting.push(waiter);
    });
  }

  /** Reports how the request went and frees its slot. `retryAfterMs` pauses the gate (from a 429). */
  release(permit: GatePermit, outcome: SampleOutcome, rttMs: number, retryAfterMs?: number): void {
    const inflightAtEnd = this.inflight;
    this.inflight = Math.max(0, this.inflight - 1);
    this.counters.completed++;
    if (outcome === 'rate_limited') this.counters.rateLimited++;
    if (outcome === 'timeout') this.counters.timeouts++;
    this.limiter.onSample(outcome, rttMs, inflightAtEnd);
    if (outcome === 'rate_limited' && retryAfterMs !== undefined && retryAfterMs > 0) {
      this.pauseFor(retryAfterMs);
    }
    void permit;
    this.pump();
  }

  pauseFor(ms: number): void {
    const until = this.now() + Math.min(ms, this.options.maxPauseMs);
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.armResume();
  }

  /**
   * Wakes the queue when the pause ends. Timers may fire a little before `Date.now()` reaches the end
   * (seen: 1 ms early), so a wake-up that finds the gate still paused arms itself again instead of
   * leaving the waiting requests queued for ever.
   */
  private armResume(): void {
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = null;
      if (this.isPaused()) this.armResume();
      else this.pump();
    }, Math.max(1, this.pausedUntil - this.now()));
    this.resumeTimer.unref();
  }

  isPaused(): boolean {
    return this.pausedUntil > this.now();
  }

  pauseRemainingMs(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  snapshot(): GateSnapshot {
    return {
      limit: this.limiter.limit,
      inflight: this.inflight,
      queued: this.waiting.length,
      maxQueue: this.options.maxQueue,
      pausedForMs: this.pauseRemainingMs(),
      ...this.counters,
    };
  }

  /** Nothing in flight or waiting: the gate may be dropped. */
  idle(): boolean {
    return this.inflight === 0 && this.waiting.length === 0 && !this.isPaused();
  }

  close(): void {
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = null;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new QueueAbortedError());
  }

  private pump(): void {
    if (this.isPaused()) return;
    while (this.waiting.length > 0 && this.inflight < this.limiter.limit) {
      const waiter = this.waiting.shift() as Waiter;
      if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
      this.inflight++;
      waiter.resolve({ startedAt: this.now() });
    }
  }
}

/** One gate per upstream origin and model, created on first use. */
export class GateRegistry {
  private readonly gates = new Map<string, { upstream: string; model: string; gate: ConcurrencyGate }>();

  constructor(public options: GateOptions = GATE_DEFAULTS) {}

  gateFor(upstream: string, model: string): ConcurrencyGate {
    const key = `${upstream}\u0000${model}`;
    let entry = this.gates.get(key);
    if (!entry) {
      entry = { upstream, model, gate: new ConcurrencyGate(this.options) };
      this.gates.set(key, entry);
    }
    return entry.gate;
  }

  snapshot(): Array<{ upstream: string; model: string } & GateSnapshot> {
    return [...this.gates.values()].map(({ upstream, model, gate }) => ({ upstream, model, ...gate.snapshot() }));
  }

  close(): void {
    for (const { gate } of this.gates.values()) gate.close();
    this.gates.clear();
  }
}
