// The closed loop as a new user runs it: a pipeline on the official openai client with its baseURL at
// the proxy, no flowtune.config.json, a quality score posted to /v1/feedback for every call (the
// application's own evaluator), POST /v1/optimize every `cycleEvery` runs. At the end the last window's
// inputs are also run straight at the provider under the application's original settings and under
// the best settings the simulator implies, so cost and quality are compared on the same inputs.
import * as path from 'node:path';
import OpenAI from 'openai';
import { MAX_UNITS_PER_ARM } from '../../daemon/optimize/stats/splitDesign';
import { makeTempDir, startTestDaemon } from './daemonHarness';

export interface StepSettings {
  model: string;
  maxTokens?: number;
  system: string;
  temperature: number;
}

export interface LoopStep {
  worker: string;
  settings: StepSettings;
  /** The user message from the run's input and the outputs of earlier steps. */
  user(input: string, earlier: Record<string, string>): string;
  /** What the application posts: its evaluator's score, or a customer's rating (1–5). */
  feedback(output: string, input: string, servedModel: string): { quality?: number; rating?: number };
}

export interface LoopPipeline {
  name: string;
  steps: LoopStep[];
  input(index: number): string;
  /** The best settings per worker the simulator implies, and which workers a cache serves for free on repeats. */
  optimum: Record<string, StepSettings & { cache?: boolean }>;
  /** USD a call costs on the provider's bill. */
  price(model: string, usage: { prompt_tokens: number; completion_tokens: number }): number;
}

export interface WindowFigures {
  costPerRun: number;
  /** Mean quality per worker on 0..1 (ratings mapped (r−1)/4). */
  quality: Record<string, number>;
  /** Standard error of that mean (the simulators' own randomness). */
  qualitySe: Record<string, number>;
}

export interface LoopResult {
  calls: number;
  runs: number;
  cycles: number;
  final: WindowFigures;
  baseline: WindowFigures;
  optimum: WindowFigures;
  /** (baseline − final) / (baseline − optimum) on the final window's inputs. */
  capturedShare: number;
  /** Per worker: the largest quality drop it was allowed (its experiment's margin, else the policy's). */
  margins: Record<string, number>;
  shipped: string[];
  rejected: string[];
  rolledBack: string[];
  waiting: string[];
  runningExperiments: number;
  /** Calls stored without a cost (their model's price unknown when they were recorded). */
  unpricedCalls: number;
  /** Decision-log actions and how often each was taken. */
  decisions: Record<string, number>;
  /** Running experiments that already reached their bound of units per arm (must be 0: every experiment ends). */
  runningPastBound: number;
  experiments: Array<{ worker: string; state: string; exposure: number | null; regret: number | null; margin: number | null }>;
}

function mean(xs: number[]): number {
  return xs.length > 0 ? xs.reduce((s, x) => s + x, 0) / xs.length : 0;
}

function qualityOf(f: { quality?: number; rating?: number }): number {
  return f.quality ?? ((f.rating ?? 1) - 1) / 4;
}

/** Answers remembered by request (the optimum's cache). */
interface Memo {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

interface Collector {
  cost: number;
  quality: Record<string, number[]>;
}

async function runPipeline(
  pipeline: LoopPipeline,
  client: OpenAI,
  settings: (step: LoopStep) => StepSettings,
  inputs: number[],
  options: { headers?: (worker: string, run: string) => Record<string, string>; post?: (callId: string, f: { quality?: number; rating?: number }) => Promise<void>; memo?: Memo; concurrency: number; runPrefix: string },
): Promise<Collector> {
  const out: Collector = { cost: 0, quality: {} };
  let next = 0;
  const one = async (index: number) => {
    const input = pipeline.input(index);
    const earlier: Record<string, string> = {};
    const run = `${options.runPrefix}-${index}`;
    for (const step of pipeline.steps) {
      const s = settings(step);
      const user = step.user(input, earlier);
      const key = `${step.worker}\0${s.model}\0${s.system}\0${user}`;
      let text = options.memo?.get(key);
      let served = s.model;
      let callId: string | null = null;
      if (text === undefined) {
        const { data, response } = await client.chat.completions
          .create(
            { model: s.model, temperature: s.temperature, ...(s.maxTokens ? { max_tokens: s.maxTokens } : {}), messages: [{ role: 'system', content: s.system }, { role: 'user', content: user }] },
            { headers: options.headers?.(step.worker, run) ?? {} },
          )
          .withResponse();
        text = data.choices[0]?.message.content ?? '';
        served = data.model;
        callId = response.headers.get('x-flowtune-call-id');
        // A response the proxy served from its cache was not billed.
        if (response.headers.get('x-flowtune-cache') !== 'hit' && data.usage) out.cost += pipeline.price(data.model, data.usage);
        options.memo?.set(key, text);
      }
      const f = step.feedback(text, input, served);
      (out.quality[step.worker] ??= []).push(qualityOf(f));
      if (callId && options.post) await options.post(callId, f);
      earlier[step.worker] = text;
    }
  };
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= inputs.length) return;
      await one(inputs[i]);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return out;
}

function standardError(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1) / xs.length);
}

function figures(c: Collector, runs: number): WindowFigures {
  const per = (f: (q: number[]) => number) => Object.fromEntries(Object.entries(c.quality).map(([w, q]) => [w, f(q)]));
  return { costPerRun: c.cost / runs, quality: per(mean), qualitySe: per(standardError) };
}

export async function runClosedLoop(pipeline: LoopPipeline, providerBaseURL: string, options: { calls: number; cycleEvery: number; finalWindowRuns: number; concurrency?: number; keepDir?: boolean }): Promise<LoopResult> {
  const workspace = makeTempDir(`flowtune-loop-${pipeline.name}-`, { keep: options.keepDir });
  if (options.keepDir) process.stderr.write(`closed loop ${pipeline.name}: workspace ${workspace}\n`);
  // No flowtune.config.json: what a new user has.
  const daemon = await startTestDaemon({ dataDir: path.join(workspace, '.flowtune'), upstream: providerBaseURL, configFile: path.join(workspace, 'flowtune.config.json') });
  const concurrency = options.concurrency ?? 5;
  const runsTotal = Math.floor(options.calls / pipeline.steps.length);
  try {
    const client = new OpenAI({ apiKey: 'app-key-not-a-secret', baseURL: `${daemon.url}/openai/v1`, defaultHeaders: { 'x-flowtune-token': daemon.token }, maxRetries: 2 });
    const post = async (callId: string, f: { quality?: number; rating?: number }) => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const r = await daemon.request('/v1/feedback', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ call_id: callId, ...f }) });
        if (r.status !== 404) return;
        await new Promise((resolve) => setTimeout(resolve, 5 * (attempt + 1)));
      }
    };
    const headers = (worker: string, run: string) => ({ 'x-flowtune-worker': worker, 'x-flowtune-run': run });
    let cycles = 0;
    let final: Collector | null = null;
    const finalStart = runsTotal - options.finalWindowRuns;
    for (let start = 0; start < runsTotal; start += options.cycleEvery) {
      const end = Math.min(runsTotal, start + options.cycleEvery);
      const inputs = Array.from({ length: end - start }, (_, i) => start + i);
      const got = await runPipeline(pipeline, client, (s) => s.settings, inputs, { headers, post, concurrency, runPrefix: pipeline.name });
      if (start >= finalStart) {
        final ??= { cost: 0, quality: {} };
        final.cost += got.cost;
        for (const [w, q] of Object.entries(got.quality)) (final.quality[w] ??= []).push(...q);
      }
      if (end < runsTotal) {
        await daemon.request('/v1/optimize', { method: 'POST' });
        cycles++;
      }
    }
    const direct = new OpenAI({ apiKey: 'app-key-not-a-secret', baseURL: providerBaseURL, maxRetries: 2 });
    const finalInputs = Array.from({ length: options.finalWindowRuns }, (_, i) => finalStart + i);
    const baseline = await runPipeline(pipeline, direct, (s) => s.settings, finalInputs, { concurrency, runPrefix: 'baseline' });
    // The optimum's cache has seen every earlier input, as the loop's cache could have.
    const memo = new Map<string, string>();
    const cached = (s: LoopStep) => ({ ...s, settings: pipeline.optimum[s.worker] ?? s.settings });
    const warm: LoopPipeline = { ...pipeline, steps: pipeline.steps.filter((s) => pipeline.optimum[s.worker]?.cache).map(cached) };
    if (warm.steps.length > 0) await runPipeline(warm, direct, (s) => s.settings, Array.from({ length: finalStart }, (_, i) => i), { concurrency, runPrefix: 'warm', memo });
    const cachedWorker = (key: string) => pipeline.optimum[key.split('\0')[0]]?.cache === true;
    const optimumMemo: Memo = {
      get: (key) => (cachedWorker(key) ? memo.get(key) : undefined),
      set: (key, value) => {
        if (cachedWorker(key)) memo.set(key, value);
      },
    };
    const optimum = await runPipeline(pipeline, direct, (s) => pipeline.optimum[s.worker] ?? s.settings, finalInputs, { concurrency, runPrefix: 'optimum', memo: optimumMemo });
    const base = figures(baseline, options.finalWindowRuns);
    const opt = figures(optimum, options.finalWindowRuns);
    const fin = figures(final ?? { cost: 0, quality: {} }, options.finalWindowRuns);
    const recs = (await (await daemon.request('/v1/recommendations')).json()) as { recommendations: Array<{ title: string; state: string; worker: string | null }> };
    const exps = (await (await daemon.request('/v1/experiments')).json()) as { experiments: Array<{ worker: string | null; state: string; result: Record<string, unknown> | null }> };
    const running = exps.experiments.filter((e) => e.state === 'running');
    const db = daemon.daemon.ctx.db;
    const unpricedCalls = (db.prepare(`SELECT COUNT(*) AS n FROM calls WHERE cost_usd IS NULL AND status = 'ok'`).get() as { n: number }).n;
    const decisions = Object.fromEntries((db.prepare(`SELECT action, COUNT(*) AS n FROM decisions GROUP BY action`).all() as Array<{ action: string; n: number }>).map((r) => [r.action, r.n]));
    const margins: Record<string, number> = {};
    const policyMargin = daemon.daemon.ctx.config.policy.quality_margin;
    for (const step of pipeline.steps) margins[step.worker] = policyMargin;
    const experiments = exps.experiments.map((e) => {
      const design = e.result?.design as { margin?: number } | undefined;
      const exposure = e.result?.exposure as { treatment_units?: number; quality_regret?: number } | undefined;
      if (e.worker && design?.margin && e.state === 'shipped') margins[e.worker] = Math.max(margins[e.worker] ?? 0, design.margin);
      return { worker: e.worker ?? '', state: e.state, exposure: exposure?.treatment_units ?? null, regret: exposure?.quality_regret ?? null, margin: design?.margin ?? null };
    });
    const by = (state: string) => recs.recommendations.filter((r) => r.state === state).map((r) => r.title);
    const waiting = (await (await daemon.request('/v1/recommendations')).json()) as { recommendations: Array<{ title: string; state: string; evidence?: { waiting_for?: unknown } }> };
    return {
      calls: runsTotal * pipeline.steps.length,
      runs: runsTotal,
      cycles,
      final: fin,
      baseline: base,
      optimum: opt,
      capturedShare: base.costPerRun > opt.costPerRun ? (base.costPerRun - fin.costPerRun) / (base.costPerRun - opt.costPerRun) : 0,
      margins,
      shipped: by('applied'),
      rejected: by('rejected'),
      rolledBack: by('rolled_back'),
      waiting: waiting.recommendations.filter((r) => r.state === 'open' && r.evidence?.waiting_for === 'quality_signal').map((r) => r.title),
      unpricedCalls,
      decisions,
      runningExperiments: running.length,
      runningPastBound: running.filter((e) => ((e.result?.samples as number | undefined) ?? 0) >= MAX_UNITS_PER_ARM).length,
      experiments,
    };
  } finally {
    await daemon.stop();
  }
}
