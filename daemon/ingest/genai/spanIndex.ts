// Memory of recently seen spans, so parenting resolves across export batches. Exporters send a
// child before its parent (the child ends first), and with a SimpleSpanProcessor every span
// travels alone: a call's worker step usually arrives in a later request than the call.
// Bounded: the oldest entries are forgotten first (in bulk, a generation at a time).
import type { SpanStatus } from '../../store/records';
import type { Attribution } from './workerAttribution';

/** A plain span kept in enough detail to be turned into a step when an LLM descendant shows up. */
export interface PlainSpanInfo {
  name: string;
  startedAt: number;
  endedAt: number;
  status: SpanStatus;
  errorMessage: string | null;
}

export interface IndexedSpan {
  traceId: string;
  runId: string;
  parentSpanId?: string;
  /** Set when the span is (or became) a step. */
  stepId?: string;
  worker?: string;
  /** A step: what it makes of a descendant call's worker; a call: the worker it was stored under. */
  attribution?: Attribution;
  /** Set when the span is a model call. */
  callId?: string;
  /** A call: the step it was stored under. */
  callStepId?: string;
  plain?: PlainSpanInfo;
}

/** Calls and steps waiting for a parent span that has not arrived yet. */
export interface PendingChildren {
  /** Some descendant is a model call: a plain parent becomes a step. */
  llm: boolean;
  calls: string[];
  steps: string[];
}

/**
 * A map that forgets its oldest entries in bulk: writes go to the young generation, which becomes
 * the old one (dropping the previous old one) when it holds `capacity` entries. It remembers at
 * least the last `capacity` insertions and at most twice that. Evicting one key at a time from a
 * single Map (delete the first key on every insertion) is slow in V8: the deleted slots stay at the
 * front of the table until it is rehashed, and each lookup of the oldest key walks over them.
 */
class GenerationalMap<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.young.get(key);
    return value !== undefined ? value : this.old.get(key);
  }

  set(key: string, value: V): void {
    if (this.young.size >= this.capacity && !this.young.has(key)) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
    this.old.delete(key);
  }

  delete(key: string): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}

export class RecentSpanIndex {
  private readonly spans: GenerationalMap<IndexedSpan>;
  private readonly pending: GenerationalMap<PendingChildren>;
  private readonly runs: GenerationalMap<string>;

  /** Remembers at least the last `capacity` spans (pending links, trace runs), at most twice that. */
  constructor(capacity = 100_000) {
    this.spans = new GenerationalMap(capacity);
    this.pending = new GenerationalMap(capacity);
    this.runs = new GenerationalMap(capacity);
  }

  /** Keys are `${traceId}:${spanId}`, the same as step and call ids. */
  get(key: string): IndexedSpan | undefined {
    return this.spans.get(key);
  }

  set(key: string, entry: IndexedSpan): void {
    this.spans.set(key, entry);
  }

  /** The run a trace was assigned to by an explicit run id seen earlier. */
  runOf(traceId: string): string | undefined {
    return this.runs.get(traceId);
  }

  setRun(traceId: string, runId: string): void {
    this.runs.set(traceId, runId);
  }

  peekPending(key: string): PendingChildren | undefined {
    return this.pending.get(key);
  }

  takePending(key: string): PendingChildren | undefined {
    const p = this.pending.get(key);
    if (p !== undefined) this.pending.delete(key);
    return p;
  }

  addPending(key: string, add: Partial<PendingChildren>): void {
    let p = this.pending.get(key);
    if (p === undefined) {
      p = { llm: false, calls: [], steps: [] };
      this.pending.set(key, p);
    }
    if (add.llm === true) p.llm = true;
    if (add.calls) p.calls.push(...add.calls);
    if (add.steps) p.steps.push(...add.steps);
  }

  get size(): number {
    return this.spans.size;
  }
}
