// Runs replay arms against the upstream provider with the official openai client (not through the
// proxy: replays must not count as the worker's traffic). Cost comes from the price table.
import OpenAI from 'openai';
import { performance } from 'node:perf_hooks';
import type { PriceTable } from '../../pricing/priceTable';
import { messagesFor, type ArmCaller } from './pairedReplay';

export function openaiArmCaller(client: OpenAI, prices: PriceTable): ArmCaller {
  return async (input, arm) => {
    const t0 = performance.now();
    try {
      const completion = await client.chat.completions.create({
        model: arm.model,
        messages: messagesFor(input, arm) as OpenAI.Chat.ChatCompletionMessageParam[],
        ...(arm.max_tokens ? { max_tokens: arm.max_tokens } : {}),
        ...(arm.temperature !== undefined && arm.temperature !== null ? { temperature: arm.temperature } : {}),
      });
      const latencyMs = performance.now() - t0;
      const usage = completion.usage;
      const cost = usage
        ? (prices.computeCost({ model: completion.model || arm.model, inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens })?.costUsd ??
          prices.computeCost({ model: arm.model, inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens })?.costUsd ??
          0)
        : 0;
      return { ok: true, output: completion.choices[0]?.message.content ?? '', costUsd: cost, latencyMs };
    } catch (error) {
      return { ok: false, output: (error as Error).message, costUsd: 0, latencyMs: performance.now() - t0 };
    }
  };
}

export function upstreamClient(baseURL: string, apiKey: string | undefined): OpenAI {
  return new OpenAI({ baseURL, apiKey: apiKey ?? 'flowtune-replay', maxRetries: 2, timeout: 120_000 });
}
