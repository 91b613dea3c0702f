// Memory of recently seen spans, so parenting resolves across export batches. Exporters send a
// child before its parent (the child ends first), and with a SimpleSpanProcessor every span
// travels alone: a call's worker step usually arrives in a later request than the call.
// Bounded: the oldest entries are forgotten first.
import type { SpanStatus } from '../../store/records';

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
  /** Set when the span is a model call. */
  callId?: string;
  plain?: PlainSpanInfo;
}

/** Calls and steps waiting for a parent span that has not arrived yet. */
export interface PendingChildren {
  /** Some descendant is a model call: a plain parent becomes a step. */
  llm: boolean;
  calls: string[];
  steps: string[];
}

function trimToCapacity<K, V>(map: Map<K, V>, capacity: number): void {
  while (map.size > capacity) {
    const oldest = map.keys().next();
    if (oldest.done === true) return;
    map.delete(oldest.value);
  }
}

export class RecentSpanIndex {
  private readonly spans = new Map<string, IndexedSpan>();
  private readonly pending = new Map<string, PendingChildren>();
  private readonly runs = new Map<string, string>();

  constructor(private readonly capacity = 100_000) {}

  /** Keys are `${traceId}:${spanId}`, the same as step and call ids. */
  get(key: string): IndexedSpan | undefined {
    return this.spans.get(key);
  }

  set(key: string, entry: IndexedSpan): void {
    this.spans.delete(key);
    this.spans.set(key, entry);
    trimToCapacity(this.spans, this.capacity);
  }

  /** The run a trace was assigned to by an explicit run id seen earlier. */
  runOf(traceId: string): string | undefined {
    return this.runs.get(traceId);
  }

  setRun(traceId: string, runId: string): void {
    this.runs.set(traceId, runId);
    trimToCapacity(this.runs, this.capacity);
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
      trimToCapacity(this.pending, this.capacity);
    }
    if (add.llm === true) p.llm = true;
    if (add.calls) p.calls.push(...add.calls);
    if (add.steps) p.steps.push(...add.steps);
  }

  get size(): number {
    return this.spans.size;
  }
}
