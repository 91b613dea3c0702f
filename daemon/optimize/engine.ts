// The optimization engine of one daemon: its stores, the price table, the upstream caller for
// replays, the judge, one-cycle-at-a-time locking and the optional scheduler. Created on first use.
import * as fs from 'node:fs';
import * as path from 'node:path';
import OpenAI from 'openai';
import type { DaemonContext } from '../daemonContext';
import type { PriceTable } from '../pricing/priceTable';
import { configPathFor } from '../projectConfig';
import type { OverrideStore } from '../proxy/overrideStore';
import { proxyStateFor } from '../proxy/proxyState';
import type { Judge } from './evaluators/scoreOutput';
import { ExperimentStore } from './experimentStore';
import { openaiArmCaller } from './experiments/openaiArmCaller';
import type { ArmCaller } from './experiments/pairedReplay';
import { RecommendationStore } from './recommendationStore';
import { fetchUpstreamModels } from './upstreamModels';

export interface OptimizeEngine {
  ctx: DaemonContext;
  overrides: OverrideStore;
  recommendations: RecommendationStore;
  experiments: ExperimentStore;
  prices: PriceTable;
  judge: Judge | null;
  /** The caller for replays of a worker, or null when no upstream is known. */
  armCallerFor(worker: string): ArmCaller | null;
  /**
   * Model ids the upstream lists (GET /v1/models), with their listed prices put into the price table;
   * asked at most every few minutes; empty when there is no upstream or it lists nothing.
   */
  upstreamModels(): Promise<string[]>;
  /** flowtune.config.json text and workspace-relative name, when the file exists. */
  configText(): { text: string; file: string } | null;
  running: Promise<unknown> | null;
  /** What the running cycle is doing (for progress displays). */
  progress: { stage: string; done: number; total: number; at: number } | null;
}

const MODEL_LIST_TTL_MS = 10 * 60_000;

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
  const prices = ctx.prices;
  let listed: { at: number; ids: string[] } | null = null;
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
    async upstreamModels() {
      const now = Date.now();
      if (listed && now - listed.at < MODEL_LIST_TTL_MS) return listed.ids;
      let ids: string[] = [];
      if (ctx.upstream) {
        try {
          const models = await fetchUpstreamModels(new OpenAI({ baseURL: ctx.upstream, apiKey: apiKey(), maxRetries: 1, timeout: 15_000 }));
          prices.setProviderPrices(models.flatMap((m) => (m.price ? [{ model: m.id, ...m.price }] : [])));
          ids = models.map((m) => m.id);
        } catch (error) {
          ctx.logger.warn('the upstream did not list its models (GET /models); candidates come from the config and the store', { error: (error as Error).message });
        }
      }
      listed = { at: now, ids };
      return ids;
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
