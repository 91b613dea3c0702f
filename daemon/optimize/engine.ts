// The optimization engine of one daemon: its stores, the price table, the upstream caller for
// replays, the judge, one-cycle-at-a-time locking and the optional scheduler. Created on first use.
import * as fs from 'node:fs';
import * as path from 'node:path';
import OpenAI from 'openai';
import type { DaemonContext } from '../daemonContext';
import { loadPriceTable, type PriceTable } from '../pricing/priceTable';
import { configPathFor } from '../projectConfig';
import type { OverrideStore } from '../proxy/overrideStore';
import { proxyStateFor } from '../proxy/proxyState';
import type { Judge } from './evaluators/scoreOutput';
import { ExperimentStore } from './experimentStore';
import { openaiArmCaller } from './experiments/openaiArmCaller';
import type { ArmCaller } from './experiments/pairedReplay';
import { RecommendationStore } from './recommendationStore';

export interface OptimizeEngine {
  ctx: DaemonContext;
  overrides: OverrideStore;
  recommendations: RecommendationStore;
  experiments: ExperimentStore;
  prices: PriceTable;
  judge: Judge | null;
  /** The caller for replays of a worker, or null when no upstream is known. */
  armCallerFor(worker: string): ArmCaller | null;
  /** flowtune.config.json text and workspace-relative name, when the file exists. */
  configText(): { text: string; file: string } | null;
  running: Promise<unknown> | null;
  /** What the running cycle is doing (for progress displays). */
  progress: { stage: string; done: number; total: number; at: number } | null;
}

const engines = new WeakMap<DaemonContext, OptimizeEngine>();

function apiKey(): string {
  return process.env.OPENAI_API_KEY ?? 'flowtune-no-key';
}

/** The engine if one was created (shutdown waits for its running cycle). */
export function existingEngine(ctx: DaemonContext): OptimizeEngine | undefined {
  return engines.get(ctx);
}

export function engineFor(ctx: DaemonContext): OptimizeEngine {
  const existing = engines.get(ctx);
  if (existing) return existing;
  const configFile = configPathFor(ctx.dataDir);
  const prices = loadPriceTable({ overrideFile: ctx.config.prices_file ? path.resolve(path.dirname(configFile), ctx.config.prices_file) : null }).table;
  const callers = new Map<string, ArmCaller>();
  const judgeBase = ctx.config.judge?.base_url ?? ctx.upstream;
  const engine: OptimizeEngine = {
    ctx,
    overrides: proxyStateFor(ctx).overrides,
    recommendations: new RecommendationStore(ctx.db),
    experiments: new ExperimentStore(ctx.db),
    prices,
    judge: ctx.config.judge && judgeBase ? { client: new OpenAI({ baseURL: judgeBase, apiKey: apiKey(), maxRetries: 2 }), model: ctx.config.judge.model } : null,
    armCallerFor(worker) {
      const base = ctx.config.workers.find((w) => w.name === worker)?.upstream ?? ctx.upstream;
      if (!base) return null;
      let caller = callers.get(base);
      if (!caller) {
        caller = openaiArmCaller(new OpenAI({ baseURL: base, apiKey: apiKey(), maxRetries: 2, timeout: 120_000 }), prices);
        callers.set(base, caller);
      }
      return caller;
    },
    configText() {
      try {
        return { text: fs.readFileSync(configFile, 'utf8'), file: path.basename(configFile) };
      } catch {
        return null;
      }
    },
    running: null,
    progress: null,
  };
  engines.set(ctx, engine);
  return engine;
}
