// Prices recorded calls that arrive without a cost of their own, for the batch writer. Wraps the
// price table: picks the model name and provider prefix from the call, and reports table warnings.
import type { CallRecord } from '../store/records';
import { loadPriceTable, type PriceTable } from './priceTable';

export interface CallCostEstimate {
  costUsd: number;
  source: 'price_table' | 'cache_hit';
}

export interface CostEstimator {
  table: PriceTable;
  /** Stale snapshot, ignored override file: lines for the daemon log. */
  warnings: string[];
  costFor(call: CallRecord): CallCostEstimate | null;
}

// gen_ai.system / provider values as ingested, mapped to LiteLLM's key prefixes. Others (bedrock,
// openrouter, …) are priced by their bare model name.
const PROVIDER_PREFIX: Record<string, string> = {
  openai: 'openai',
  azure: 'azure',
  'azure.ai.openai': 'azure',
  'az.ai.openai': 'azure',
  azure_openai: 'azure',
  anthropic: 'anthropic',
  gemini: 'gemini',
  'gcp.gemini': 'gemini',
  vertex_ai: 'vertex_ai',
  'gcp.vertex_ai': 'vertex_ai',
  mistral: 'mistral',
  mistral_ai: 'mistral',
  groq: 'groq',
  deepseek: 'deepseek',
  xai: 'xai',
  'x.ai': 'xai',
  cohere: 'cohere',
};

/** `overrideFile` is the project's prices_file, already resolved to an absolute path. */
export function createCostEstimator(overrideFile?: string | null, now: Date = new Date()): CostEstimator {
  const { table, warnings } = loadPriceTable({ overrideFile, now });
  const costFor = (call: CallRecord): CallCostEstimate | null => {
    // Served from Flowtune's response cache: no provider call, nothing billed.
    if (call.cacheHit) return { costUsd: 0, source: 'cache_hit' };
    if (call.inputTokens == null && call.outputTokens == null) return null;
    const prefix = PROVIDER_PREFIX[(call.provider ?? '').toLowerCase()];
    // The response names the model actually served; on Azure the request names only the deployment.
    for (const model of [call.responseModel, call.requestModel]) {
      if (!model) continue;
      const name = prefix && !model.toLowerCase().startsWith(`${prefix}/`) ? `${prefix}/${model}` : model;
      const cost = table.computeCost({
        model: name,
        inputTokens: call.inputTokens ?? 0,
        outputTokens: call.outputTokens ?? 0,
        cachedTokens: call.cachedTokens,
        reasoningTokens: call.reasoningTokens,
      });
      if (cost) return { costUsd: cost.costUsd, source: cost.source };
    }
    return null;
  };
  return { table, warnings, costFor };
}
