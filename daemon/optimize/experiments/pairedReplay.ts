// Paired replay: recorded inputs of a worker re-run under control and treatment, each output scored
// by the worker's evaluators, compared pair by pair with the anytime-valid decision after every batch
// (so stopping early is sound). A budget caps what the replays may spend: it stops when reached.
import { DEFAULT_DECISION_SETTINGS, decidePairedReplay, type DecisionSettings, type ExperimentDecision, type ReplayPair } from '../stats';
import { withSignTestFallback } from './signTestFallback';

export interface ChatMessage {
  role: string;
  content: unknown;
}

export interface ReplayInput {
  /** The recorded call the input came from (the pair key). */
  callId: string;
  messages: ChatMessage[];
}

/** The request settings of one arm; absent fields keep the recorded request's. */
export interface ArmSettings {
  model: string;
  max_tokens?: number | null;
  temperature?: number | null;
  /** Replaces the system message (prompt variants). */
  systemPrompt?: string | null;
}

export interface ArmResult {
  ok: boolean;
  output: string;
  costUsd: number;
  latencyMs: number;
}

/** Runs one input under one arm (the openai client in the daemon; anything in tests). */
export type ArmCaller = (input: ReplayInput, arm: ArmSettings) => Promise<ArmResult>;
/** Scores an output in [0, 1]. */
export type OutputScorer = (input: ReplayInput, output: string) => Promise<number>;

export interface ReplayOptions {
  inputs: readonly ReplayInput[];
  control: ArmSettings;
  treatment: ArmSettings;
  call: ArmCaller;
  score: OutputScorer;
  budgetUsd: number;
  batchSize?: number;
  concurrency?: number;
  settings?: Partial<DecisionSettings>;
  onBatch?: (done: number, total: number, pairs: readonly ReplayPair[], spentUsd: number) => void;
}

export interface ReplayOutcome {
  decision: ExperimentDecision | null;
  pairs: Array<ReplayPair & { key: string }>;
  spentUsd: number;
  stoppedBy: 'decision' | 'budget' | 'inputs';
}

/** Messages with the system prompt replaced (or added) when the arm has one. */
export function messagesFor(input: ReplayInput, arm: ArmSettings): ChatMessage[] {
  if (arm.systemPrompt === undefined || arm.systemPrompt === null) return input.messages;
  const messages = input.messages.slice();
  const index = messages.findIndex((m) => m.role === 'system' || m.role === 'developer');
  if (index === -1) messages.unshift({ role: 'system', content: arm.systemPrompt });
  else messages[index] = { ...messages[index], content: arm.systemPrompt };
  return messages;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

export async function runPairedReplay(options: ReplayOptions): Promise<ReplayOutcome> {
  const batchSize = options.batchSize ?? 10;
  const pairs: Array<ReplayPair & { key: string }> = [];
  let spent = 0;
  let decision: ExperimentDecision | null = null;
  const observe = async (input: ReplayInput, arm: ArmSettings) => {
    const result = await options.call(input, arm).catch((error: unknown) => ({ ok: false, output: String((error as Error).message), costUsd: 0, latencyMs: 0 }));
    const quality = result.ok ? await options.score(input, result.output) : 0;
    return { cost: result.costUsd, latencyMs: result.latencyMs, quality, success: result.ok };
  };
  for (let start = 0; start < options.inputs.length; start += batchSize) {
    if (spent >= options.budgetUsd) return { decision, pairs, spentUsd: spent, stoppedBy: 'budget' };
    const batch = options.inputs.slice(start, start + batchSize);
    const results = await mapLimited(batch, options.concurrency ?? 4, async (input, index) => {
      // Counterbalanced order: whichever arm is sent first of a pair gets a head start (a free
      // connection, an idle upstream), which alone can look like a latency effect. Alternating which
      // arm goes first cancels that bias across pairs.
      const controlFirst = (start + index) % 2 === 0;
      const [first, second] = controlFirst ? [options.control, options.treatment] : [options.treatment, options.control];
      const [a, b] = await Promise.all([observe(input, first), observe(input, second)]);
      return { key: input.callId, control: controlFirst ? a : b, treatment: controlFirst ? b : a };
    });
    for (const r of results) {
      pairs.push(r);
      spent += r.control.cost + r.treatment.cost;
    }
    const settings: DecisionSettings = { ...DEFAULT_DECISION_SETTINGS, maxSamples: options.inputs.length, ...options.settings };
    decision = withSignTestFallback(decidePairedReplay(pairs, settings), pairs, settings, Math.ceil(options.inputs.length / batchSize));
    options.onBatch?.(pairs.length, options.inputs.length, pairs, spent);
    if (decision.decision !== 'continue') return { decision, pairs, spentUsd: spent, stoppedBy: 'decision' };
  }
  return { decision, pairs, spentUsd: spent, stoppedBy: 'inputs' };
}
