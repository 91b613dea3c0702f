// Model prices: the LiteLLM snapshot shipped with Flowtune (see THIRD_PARTY_NOTICES.md), merged with
// an optional user override file, with forgiving model-name lookup. A broken override never takes
// pricing down: the caller gets a clear error naming the file and a table built from the snapshot.
import * as fs from 'node:fs';
import { z } from 'zod';
import snapshotJson from './prices.snapshot.json';
import { costOfUsage, RATE_FIELDS, TIER_FIELD, type ModelPrice, type TokenUsage } from './costFormula';
import { candidateKeys, containsModelToken, normalizeModelName } from './modelName';

export type { ModelPrice, TokenUsage } from './costFormula';

/** Snapshots older than this produce a warning: providers change prices every few months. */
export const STALE_AFTER_DAYS = 90;
const DAY_MS = 86_400_000;
/** Shortest table name the substring fallback may match, so `o1` never prices `pro1-deployment`. */
const MIN_SUBSTRING_MATCH = 5;

const rate = z.number().finite().nonnegative();
const modelPriceSchema = z
  .object({
    input_cost_per_token: rate,
    output_cost_per_token: rate.optional(),
    cache_read_input_token_cost: rate.optional(),
    cache_creation_input_token_cost: rate.optional(),
    output_cost_per_reasoning_token: rate.optional(),
    max_input_tokens: z.number().positive().optional(),
    max_output_tokens: z.number().positive().optional(),
    litellm_provider: z.string().optional(),
    mode: z.string().optional(),
  })
  .catchall(z.unknown());
// An override may change single fields of a known model, so nothing is required per entry.
const overrideEntrySchema = modelPriceSchema.partial();

const snapshotSchema = z.object({
  source: z.string(),
  source_commit: z.string(),
  fetched_at: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  license: z.string(),
  models: z.record(z.string(), modelPriceSchema),
});

export interface SnapshotInfo {
  source: string;
  sourceCommit: string;
  fetchedAt: string;
  license: string;
  modelCount: number;
}

export interface CostResult {
  costUsd: number;
  source: 'price_table';
  /** The table entry the model name resolved to, e.g. `gpt-4o-mini` for `gpt-4o-mini-2024-07-18`. */
  pricedAs: string;
}

export interface SavingsResult {
  savedUsd: number;
  source: 'price_table';
  pricedAs: string;
}

export interface PriceLookup {
  key: string;
  price: ModelPrice;
}

export interface CostQuery extends TokenUsage {
  model: string;
}

/** Raised (or returned by loadPriceTable) when a user override file cannot be used. */
export class PriceOverrideError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`price override file ${file} ignored: ${detail}; using the built-in snapshot prices`);
    this.name = 'PriceOverrideError';
  }
}

/** Keeps the cost-relevant fields of a validated entry; unknown LiteLLM fields are dropped. */
function toModelPrice(entry: Record<string, unknown>): ModelPrice {
  const price: Record<string, number | string> = {};
  for (const [field, value] of Object.entries(entry)) {
    const known = (RATE_FIELDS as readonly string[]).includes(field) || TIER_FIELD.test(field);
    const meta = field === 'max_input_tokens' || field === 'max_output_tokens' || field === 'litellm_provider' || field === 'mode';
    if ((known && typeof value === 'number' && Number.isFinite(value) && value >= 0) || (meta && value !== undefined)) {
      price[field] = value as number | string;
    }
  }
  return price as ModelPrice;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

const MAX_RESOLVED_NAMES = 10_000;

export class PriceTable {
  private readonly byName = new Map<string, PriceLookup>();
  /** Model names already resolved (cleared whenever the table changes). */
  private readonly resolved = new Map<string, PriceLookup | null>();
  /** Provider-less names, longest first, each with the table keys ending in it (deployment fallback). */
  private substringIndex: Array<[bare: string, keys: string[]]> = [];

  private constructor(
    readonly info: SnapshotInfo,
    models: Record<string, ModelPrice>,
  ) {
    for (const [key, price] of Object.entries(models)) this.set(key, price);
    this.reindex();
  }

  /** A table from a snapshot object (the shipped one by default); throws if it is malformed. */
  static fromSnapshot(snapshot: unknown = snapshotJson): PriceTable {
    const parsed = snapshotSchema.safeParse(snapshot);
    if (!parsed.success) throw new Error(`price snapshot is malformed: ${describeIssues(parsed.error)}`);
    const models: Record<string, ModelPrice> = {};
    for (const [key, entry] of Object.entries(parsed.data.models)) models[key] = toModelPrice(entry);
    const { source, source_commit: sourceCommit, fetched_at: fetchedAt, license } = parsed.data;
    return new PriceTable({ source, sourceCommit, fetchedAt, license, modelCount: Object.keys(models).length }, models);
  }

  get size(): number {
    return this.byName.size;
  }

  /**
   * Applies a user override file: `{ "models": { name: fields } }` or a flat `{ name: fields }`,
   * fields as in LiteLLM (USD per token). Fields of a known model are replaced one by one; a new
   * model needs at least `input_cost_per_token`. All-or-nothing: on any problem this throws a
   * PriceOverrideError naming the file and leaves the table unchanged.
   */
  applyOverrideFile(file: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      const detail = error instanceof SyntaxError ? `invalid JSON (${error.message})` : `cannot read it (${(error as Error).message})`;
      throw new PriceOverrideError(file, detail);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new PriceOverrideError(file, 'expected a JSON object of model prices');
    }
    const root = parsed as Record<string, unknown>;
    const entries = 'models' in root ? root.models : root;
    const shape = z.record(z.string(), overrideEntrySchema).safeParse(entries);
    if (!shape.success) throw new PriceOverrideError(file, describeIssues(shape.error));
    const merged: Array<[string, ModelPrice]> = [];
    for (const [name, fields] of Object.entries(shape.data)) {
      const base = this.byName.get(normalizeModelName(name));
      const combined = { ...(base?.price ?? {}), ...toModelPrice(fields) };
      if (typeof combined.input_cost_per_token !== 'number') {
        throw new PriceOverrideError(file, `model "${name}" is not in the snapshot, so it needs input_cost_per_token`);
      }
      merged.push([base?.key ?? name, combined as ModelPrice]);
    }
    for (const [key, price] of merged) this.set(key, price);
    this.reindex();
  }

  /**
   * The entry a model name prices as, or null. See candidateKeys for the forms tried. Resolved names
   * are remembered (a store sees a handful of model names, priced for every call it ingests).
   */
  lookup(model: string): PriceLookup | null {
    const known = this.resolved.get(model);
    if (known !== undefined) return known;
    let found: PriceLookup | null = null;
    for (const key of candidateKeys(model)) {
      const hit = this.byName.get(key);
      if (hit) {
        found = hit;
        break;
      }
    }
    found ??= this.lookupDeployment(model);
    if (this.resolved.size >= MAX_RESOLVED_NAMES) this.resolved.clear();
    this.resolved.set(model, found);
    return found;
  }

  /**
   * Prices a provider lists for its own models (its GET /v1/models): for those names they win over
   * the snapshot, since the provider's bill is what a call costs there.
   */
  setProviderPrices(entries: ReadonlyArray<{ model: string; inputPerToken: number; outputPerToken: number }>): void {
    if (entries.length === 0) return;
    for (const e of entries) {
      const base = this.byName.get(normalizeModelName(e.model))?.price ?? {};
      this.set(e.model, { ...base, input_cost_per_token: e.inputPerToken, output_cost_per_token: e.outputPerToken } as ModelPrice);
    }
    this.reindex();
  }

  /** Cost of one call, or null when the model is unknown. */
  computeCost(query: CostQuery): CostResult | null {
    const hit = this.lookup(query.model);
    if (!hit) return null;
    return { costUsd: costOfUsage(hit.price, query), source: 'price_table', pricedAs: hit.key };
  }

  /** What a call would have cost had a cache hit not avoided it; null when the model is unknown. */
  savingsFor(model: string, tokens: TokenUsage): SavingsResult | null {
    const cost = this.computeCost({ ...tokens, model });
    return cost ? { savedUsd: cost.costUsd, source: 'price_table', pricedAs: cost.pricedAs } : null;
  }

  /** A warning when the snapshot is more than STALE_AFTER_DAYS old at `now`, else null. */
  stalenessWarning(now: Date = new Date()): string | null {
    const fetched = Date.parse(`${this.info.fetchedAt}T00:00:00Z`);
    const ageDays = Math.floor((now.getTime() - fetched) / DAY_MS);
    if (!(ageDays > STALE_AFTER_DAYS)) return null;
    return (
      `model price snapshot is ${ageDays} days old (fetched ${this.info.fetchedAt} from LiteLLM ${this.info.sourceCommit.slice(0, 12)}); ` +
      `costs may be out of date: run "node scripts/update-prices.mjs" or set prices in a prices_file override`
    );
  }

  private set(key: string, price: ModelPrice): void {
    this.byName.set(normalizeModelName(key), { key, price });
  }

  private reindex(): void {
    this.resolved.clear();
    const byBare = new Map<string, string[]>();
    for (const name of this.byName.keys()) {
      const bare = name.slice(name.lastIndexOf('/') + 1);
      if (bare.length < MIN_SUBSTRING_MATCH) continue;
      const keys = byBare.get(bare) ?? [];
      keys.push(name);
      byBare.set(bare, keys);
    }
    this.substringIndex = [...byBare.entries()].sort(([a], [b]) => b.length - a.length || a.localeCompare(b));
  }

  /**
   * Last resort for Azure-style deployment names (`prod-gpt-4o-mini-eastus`, `azure/team-gpt-4.1`):
   * the longest known model name inside it. An `azure/` or other provider prefix is honoured when
   * that provider has its own entry for the model, since Azure prices some models differently.
   */
  private lookupDeployment(model: string): PriceLookup | null {
    const normalized = normalizeModelName(model);
    const slash = normalized.lastIndexOf('/');
    const provider = slash > 0 ? normalized.slice(0, normalized.indexOf('/')) : null;
    const deployment = normalized.slice(slash + 1);
    const match = this.substringIndex.find(([bare]) => containsModelToken(deployment, bare));
    if (!match) return null;
    const [bare, keys] = match;
    const preferred = keys.find((key) => key === `${provider}/${bare}`) ?? keys.find((key) => key === bare) ?? keys.slice().sort()[0];
    return this.byName.get(preferred) ?? null;
  }
}

export interface LoadedPriceTable {
  table: PriceTable;
  /** Human-readable problems to log: a stale snapshot, an override file that was ignored. */
  warnings: string[];
  overrideError: PriceOverrideError | null;
}

/** The shipped snapshot plus the user's override file, if any, with warnings for the log. */
export function loadPriceTable(options: { overrideFile?: string | null; now?: Date } = {}): LoadedPriceTable {
  const table = PriceTable.fromSnapshot();
  const warnings: string[] = [];
  let overrideError: PriceOverrideError | null = null;
  if (options.overrideFile) {
    try {
      table.applyOverrideFile(options.overrideFile);
    } catch (error) {
      if (!(error instanceof PriceOverrideError)) throw error;
      overrideError = error;
      warnings.push(error.message);
    }
  }
  const stale = table.stalenessWarning(options.now);
  if (stale) warnings.push(stale);
  return { table, warnings, overrideError };
}
