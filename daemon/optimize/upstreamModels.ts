// Zero-config candidate models: what the upstream lists at GET /v1/models, priced from the listing's
// own `pricing` fields when it carries them (the provider's bill is what counts), else from the
// shipped price table. The config's `optimize.candidate_models` only narrows this list.
import type OpenAI from 'openai';

export interface ListedModel {
  id: string;
  /** USD per token from the provider's listing, or null when it gives no price. */
  price: { inputPerToken: number; outputPerToken: number } | null;
}

function perToken(value: unknown, scale: number): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n / scale : null;
}

/**
 * Reads a price from a model entry. Understood forms (per token unless the name says per million):
 * OpenRouter's `pricing: { prompt, completion }` (strings or numbers), `pricing: { input, output }`,
 * LiteLLM's `input_cost_per_token` / `output_cost_per_token` (top level or under `pricing`), and
 * `pricing: { input_per_million, output_per_million }`.
 */
export function listedPrice(entry: Record<string, unknown>): ListedModel['price'] {
  const pricing = (entry.pricing && typeof entry.pricing === 'object' ? entry.pricing : {}) as Record<string, unknown>;
  const sources: Array<[unknown, unknown, number]> = [
    [pricing.prompt, pricing.completion, 1],
    [pricing.input, pricing.output, 1],
    [pricing.input_cost_per_token, pricing.output_cost_per_token, 1],
    [entry.input_cost_per_token, entry.output_cost_per_token, 1],
    [pricing.input_per_million, pricing.output_per_million, 1e6],
  ];
  for (const [input, output, scale] of sources) {
    const i = perToken(input, scale);
    if (i === null) continue;
    return { inputPerToken: i, outputPerToken: perToken(output, scale) ?? i };
  }
  return null;
}

/** The models of a `/v1/models` answer (`{ data: [...] }` or a bare array); bad entries are skipped. */
export function parseModelList(body: unknown): ListedModel[] {
  const data = Array.isArray(body) ? body : body && typeof body === 'object' ? (body as { data?: unknown }).data : null;
  if (!Array.isArray(data)) return [];
  const out: ListedModel[] = [];
  for (const entry of data) {
    if (!entry || typeof entry !== 'object') continue;
    const id = (entry as { id?: unknown }).id;
    if (typeof id !== 'string' || id.length === 0) continue;
    out.push({ id, price: listedPrice(entry as Record<string, unknown>) });
  }
  return out;
}

/** Lists the upstream's models through the official client; an upstream without the route lists none. */
export async function fetchUpstreamModels(client: OpenAI): Promise<ListedModel[]> {
  const raw: unknown[] = [];
  for await (const model of client.models.list()) raw.push(model);
  return parseModelList({ data: raw });
}

export interface CandidateInput {
  /** What the upstream lists (empty when it lists nothing or could not be asked). */
  listed: readonly string[];
  /** `optimize.candidate_models`: narrows the listed models; names them when nothing is listed. */
  configured: readonly string[];
  /** Models seen in recorded calls and named in worker configs. */
  seen: readonly string[];
  /** Whether a model can be priced and is a chat model (per the price table's mode, when it has one). */
  usable(model: string): boolean;
}

/** Candidate models, in a stable order: listed (narrowed by the config), else configured and seen. */
export function candidateModels(input: CandidateInput): string[] {
  const narrow = new Set(input.configured);
  const base = input.listed.length > 0 ? input.listed.filter((m) => narrow.size === 0 || narrow.has(m)) : [...input.configured, ...input.seen];
  // Models the workers already use stay candidates (the comparison point), whether listed or not.
  return [...new Set([...base, ...input.seen])].filter((m) => input.usable(m));
}
