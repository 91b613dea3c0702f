// The cost of one call from its token counts and a model's per-token rates (USD per token, as in
// LiteLLM's model_prices_and_context_window.json). Pure arithmetic; no lookup, no I/O.

export const RATE_FIELDS = [
  'input_cost_per_token',
  'output_cost_per_token',
  'cache_read_input_token_cost',
  'cache_creation_input_token_cost',
  'output_cost_per_reasoning_token',
] as const;
export type RateField = (typeof RATE_FIELDS)[number];

/** Rates that change above a prompt size, e.g. `input_cost_per_token_above_200k_tokens`. */
export const TIER_FIELD = /^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost)_above_(\d+)k_tokens$/;

export interface ModelPrice {
  input_cost_per_token: number;
  output_cost_per_token?: number;
  cache_read_input_token_cost?: number;
  cache_creation_input_token_cost?: number;
  output_cost_per_reasoning_token?: number;
  max_input_tokens?: number;
  max_output_tokens?: number;
  litellm_provider?: string;
  mode?: string;
  /** Tiered rates keyed like `output_cost_per_token_above_272k_tokens`. */
  [tierField: string]: number | string | undefined;
}

/**
 * Token counts of one call, in OpenAI usage semantics: `inputTokens` is the whole prompt, so it
 * includes `cachedTokens` (read from the provider's prompt cache) and `cacheWriteTokens` (written
 * to it, Anthropic's cache_creation_input_tokens); `outputTokens` includes `reasoningTokens`.
 * Adapters for Anthropic usage, where input_tokens excludes both cache counts, add them first.
 */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens?: number | null;
  cacheWriteTokens?: number | null;
  reasoningTokens?: number | null;
}

interface Rates {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  reasoning: number;
}

const TIER_BASE: Record<string, keyof Omit<Rates, 'reasoning'>> = {
  input_cost_per_token: 'input',
  output_cost_per_token: 'output',
  cache_read_input_token_cost: 'cacheRead',
  cache_creation_input_token_cost: 'cacheWrite',
};

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * The rates that apply to a prompt of `promptTokens`. Providers bill the whole request at the
 * long-context rate once the prompt exceeds the threshold (LiteLLM's `_above_<n>k_tokens` means
 * more than n·1000 tokens), so the highest threshold below the prompt size wins outright.
 */
export function ratesFor(price: ModelPrice, promptTokens: number): Rates {
  const rates: Rates = {
    input: price.input_cost_per_token,
    output: price.output_cost_per_token ?? 0,
    cacheRead: price.cache_read_input_token_cost ?? price.input_cost_per_token,
    cacheWrite: price.cache_creation_input_token_cost ?? price.input_cost_per_token,
    reasoning: price.output_cost_per_reasoning_token ?? price.output_cost_per_token ?? 0,
  };
  let bestThreshold = -1;
  for (const [field, value] of Object.entries(price)) {
    const match = TIER_FIELD.exec(field);
    if (!match || typeof value !== 'number') continue;
    const threshold = Number(match[2]) * 1000;
    if (promptTokens > threshold && threshold >= bestThreshold) bestThreshold = threshold;
  }
  if (bestThreshold < 0) return rates;
  const tierSuffix = `_above_${bestThreshold / 1000}k_tokens`;
  const reasoningFollowsOutput = price.output_cost_per_reasoning_token === undefined || price.output_cost_per_reasoning_token === price.output_cost_per_token;
  const cacheReadFollowsInput = price.cache_read_input_token_cost === undefined;
  const cacheWriteFollowsInput = price.cache_creation_input_token_cost === undefined;
  for (const [baseField, rateName] of Object.entries(TIER_BASE)) {
    const tiered = price[`${baseField}${tierSuffix}`];
    if (typeof tiered === 'number') rates[rateName] = tiered;
  }
  // Rates that mirror another rate at the base tier keep mirroring it above the threshold.
  if (cacheReadFollowsInput && typeof price[`cache_read_input_token_cost${tierSuffix}`] !== 'number') rates.cacheRead = rates.input;
  if (cacheWriteFollowsInput && typeof price[`cache_creation_input_token_cost${tierSuffix}`] !== 'number') rates.cacheWrite = rates.input;
  if (reasoningFollowsOutput) rates.reasoning = rates.output;
  return rates;
}

/**
 * USD cost of one call. Cached and cache-write tokens are carved out of the prompt and charged at
 * their own rates; reasoning tokens are carved out of the completion only when the model bills
 * them differently. Rounded to 1e-12 USD so sums of published rates compare exactly.
 */
export function costOfUsage(price: ModelPrice, usage: TokenUsage): number {
  const input = count(usage.inputTokens);
  const output = count(usage.outputTokens);
  const cached = Math.min(count(usage.cachedTokens), input);
  const cacheWrite = Math.min(count(usage.cacheWriteTokens), input - cached);
  const reasoning = Math.min(count(usage.reasoningTokens), output);
  const rates = ratesFor(price, input);
  const uncached = input - cached - cacheWrite;
  const promptCost = uncached * rates.input + cached * rates.cacheRead + cacheWrite * rates.cacheWrite;
  const completionCost = rates.reasoning === rates.output ? output * rates.output : (output - reasoning) * rates.output + reasoning * rates.reasoning;
  return Math.round((promptCost + completionCost) * 1e12) / 1e12;
}
