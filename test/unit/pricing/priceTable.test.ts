import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPriceTable, PriceOverrideError, PriceTable } from '../../../daemon/pricing/priceTable';

// Golden values are recomputed by hand from the LiteLLM rates in prices.snapshot.json
// (gpt-4o-mini 1.5e-7 / 6e-7 / cached 7.5e-8 per token, REFERENCES Part A §7).
const cost = (table: PriceTable, model: string, usage: { in: number; out: number; cached?: number; write?: number; reasoning?: number }) =>
  table.computeCost({
    model,
    inputTokens: usage.in,
    outputTokens: usage.out,
    cachedTokens: usage.cached,
    cacheWriteTokens: usage.write,
    reasoningTokens: usage.reasoning,
  });

let tmpDir: string;
const writeOverride = (name: string, content: string): string => {
  const file = path.join(tmpDir, name);
  fs.writeFileSync(file, content);
  return file;
};

describe('pricing/priceTable', () => {
  let table: PriceTable;
  before(() => {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowtune-prices-'));
  });
  after(() => fs.rmSync(tmpDir, { recursive: true, force: true }));
  beforeEach(() => {
    table = PriceTable.fromSnapshot();
  });

  describe('snapshot', () => {
    it('ships LiteLLM provenance and the main models', () => {
      assert.match(table.info.sourceCommit, /^[0-9a-f]{40}$/);
      assert.equal(table.info.fetchedAt, '2026-11-21');
      assert.equal(table.info.license, 'MIT, Copyright (c) 2023 Berri AI');
      assert.ok(table.size >= 150, `only ${table.size} models`);
      for (const model of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'o1', 'o3', 'o3-mini', 'o4-mini', 'gpt-5', 'gpt-5-mini',
        'text-embedding-3-small', 'text-embedding-3-large', 'claude-3-haiku-20240307', 'claude-sonnet-4-5', 'claude-opus-4-1',
        'gemini-2.0-flash', 'gemini-2.5-pro', 'gemini/gemini-2.5-flash', 'mistral/mistral-large-latest', 'groq/llama-3.3-70b-versatile',
        'deepseek/deepseek-chat', 'xai/grok-4-0709', 'command-r', 'azure/gpt-4o']) {
        assert.equal(table.lookup(model)?.key, model, model);
      }
    });

    it('rejects a malformed snapshot', () => {
      assert.throws(() => PriceTable.fromSnapshot({ models: {} }), /price snapshot is malformed/);
    });
  });

  describe('computeCost', () => {
    it('golden: gpt-4o-mini 1,500 in + 500 out = 0.000525 USD', () => {
      assert.deepEqual(cost(table, 'gpt-4o-mini', { in: 1500, out: 500 }), { costUsd: 0.000525, source: 'price_table', pricedAs: 'gpt-4o-mini' });
    });

    it('charges cached prompt tokens at the cache-read rate, as a subset of the prompt', () => {
      // 500·1.5e-7 + 1000·7.5e-8 + 500·6e-7 = 7.5e-5 + 7.5e-5 + 3e-4
      assert.equal(cost(table, 'gpt-4o-mini', { in: 1500, out: 500, cached: 1000 })?.costUsd, 0.00045);
      // More cached than prompt tokens (bad usage data) caps at the prompt.
      assert.equal(cost(table, 'gpt-4o-mini', { in: 1000, out: 0, cached: 5000 })?.costUsd, 0.000075);
    });

    it('charges cache writes at the cache-creation rate (Anthropic)', () => {
      // claude-sonnet-4-5: 5000·3e-6 + 2000·3e-7 + 3000·3.75e-6 + 100·1.5e-5
      assert.equal(cost(table, 'claude-sonnet-4-5', { in: 10_000, out: 100, cached: 2000, write: 3000 })?.costUsd, 0.02835);
    });

    it('does not double-charge reasoning tokens billed at the output rate', () => {
      // gemini-2.5-flash bills reasoning at 2.5e-6 like other output: 1000·2.5e-6 either way.
      assert.equal(cost(table, 'gemini-2.5-flash', { in: 0, out: 1000, reasoning: 800 })?.costUsd, 0.0025);
      assert.equal(cost(table, 'o3-mini', { in: 1000, out: 1000, reasoning: 900 })?.costUsd, 0.0055);
    });

    it('charges reasoning tokens at their own rate when it differs', () => {
      table.applyOverrideFile(writeOverride('reasoner.json', JSON.stringify({
        'acme-reasoner': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, output_cost_per_reasoning_token: 4e-6 },
      })));
      // 400·2e-6 + 600·4e-6
      assert.equal(cost(table, 'acme-reasoner', { in: 0, out: 1000, reasoning: 600 })?.costUsd, 0.0032);
    });

    it('switches the whole request to the long-context tier above the threshold', () => {
      // gemini-2.5-pro: at 200k exactly the base rates apply; above, 2.5e-6 in and 1.5e-5 out.
      assert.equal(cost(table, 'gemini-2.5-pro', { in: 200_000, out: 1000 })?.costUsd, 0.26);
      assert.equal(cost(table, 'gemini-2.5-pro', { in: 250_000, out: 1000 })?.costUsd, 0.64);
      // claude-sonnet-4-5 above 200k: 200000·6e-6 + 100000·6e-7 (tiered cache-read rate).
      assert.equal(cost(table, 'claude-sonnet-4-5', { in: 300_000, out: 0, cached: 100_000 })?.costUsd, 1.26);
      // gpt-5.4 has a 272k tier.
      assert.equal(cost(table, 'gpt-5.4', { in: 272_000, out: 0 })?.costUsd, 0.68);
      assert.equal(cost(table, 'gpt-5.4', { in: 300_000, out: 0 })?.costUsd, 1.5);
    });

    it('prices embeddings by input tokens only', () => {
      assert.equal(cost(table, 'text-embedding-3-small', { in: 1000, out: 0 })?.costUsd, 0.00002);
      assert.equal(cost(table, 'mistral/mistral-embed', { in: 1000, out: 0 })?.costUsd, 0.0001);
    });

    it('returns null for unknown models', () => {
      assert.equal(cost(table, 'totally-unknown-model', { in: 10, out: 10 }), null);
      assert.equal(cost(table, '', { in: 10, out: 10 }), null);
      assert.equal(table.lookup('pro1-deployment'), null, 'short names such as o1 are never matched inside others');
    });
  });

  describe('lookup', () => {
    it('falls back from dated response models to the base model', () => {
      assert.equal(table.lookup('gpt-4o-mini-2024-07-18')?.key, 'gpt-4o-mini-2024-07-18');
      assert.equal(table.lookup('gpt-4o-mini-2099-01-01')?.key, 'gpt-4o-mini');
      assert.equal(cost(table, 'gpt-4o-mini-2099-01-01', { in: 1500, out: 500 })?.costUsd, 0.000525);
      assert.equal(table.lookup('claude-opus-4-8-20260101')?.key, 'claude-opus-4-8');
      assert.equal(table.lookup('claude-opus-4-5@20251101')?.key, 'claude-opus-4-5', 'Vertex @date form');
      assert.equal(table.lookup('claude-opus-4-1@20990101')?.key, 'claude-opus-4-1');
      // A dated snapshot with its own (higher) price keeps it.
      assert.equal(cost(table, 'gpt-4o-2024-05-13', { in: 1000, out: 0 })?.costUsd, 0.005);
    });

    it('strips provider prefixes and ignores case', () => {
      assert.equal(cost(table, 'openai/gpt-4o-mini', { in: 1500, out: 500 })?.costUsd, 0.000525);
      assert.equal(table.lookup('OpenAI/GPT-4o-Mini')?.key, 'gpt-4o-mini');
      assert.equal(table.lookup('openrouter/openai/gpt-4o')?.key, 'gpt-4o');
      assert.equal(table.lookup('anthropic/claude-sonnet-4-5-20250929')?.key, 'claude-sonnet-4-5-20250929');
      assert.equal(table.lookup('vertex_ai/gemini-2.5-pro')?.key, 'gemini-2.5-pro');
      assert.equal(table.lookup('gemini/gemini-2.5-pro')?.key, 'gemini/gemini-2.5-pro', 'an exact provider entry wins');
    });

    it('resolves Azure deployment-style names', () => {
      // Azure prices gpt-4o-mini at 1.65e-7 / 6.6e-7: 1500·1.65e-7 + 500·6.6e-7.
      assert.equal(cost(table, 'azure/gpt-4o-mini', { in: 1500, out: 500 })?.costUsd, 0.0005775);
      assert.equal(table.lookup('azure/prod-gpt-4o-mini-eastus')?.key, 'azure/gpt-4o-mini');
      assert.equal(table.lookup('azure/gpt-35-turbo')?.key, 'azure/gpt-35-turbo');
      assert.equal(table.lookup('gpt-35-turbo')?.key, 'gpt-3.5-turbo');
      assert.equal(table.lookup('my-gpt-4.1-deployment')?.key, 'gpt-4.1', 'longest known name, not gpt-4');
      assert.equal(table.lookup('team-gpt-4o-mini')?.key, 'gpt-4o-mini', 'not gpt-4o');
    });
  });

  describe('overrides', () => {
    it('lets an override file win, field by field, in the models shape', () => {
      // Priced once before the override: the remembered lookup must not outlive the change.
      assert.equal(cost(table, 'OpenAI/GPT-4o-Mini', { in: 1500, out: 500 })?.costUsd, 0.000525);
      table.applyOverrideFile(writeOverride('models.json', JSON.stringify({ models: { 'gpt-4o-mini': { input_cost_per_token: 1e-6 } } })));
      // 1500·1e-6 + 500·6e-7 (output rate kept from the snapshot)
      assert.equal(cost(table, 'gpt-4o-mini', { in: 1500, out: 500 })?.costUsd, 0.0018);
      assert.equal(cost(table, 'OpenAI/GPT-4o-Mini', { in: 1500, out: 500 })?.costUsd, 0.0018);
    });

    it('accepts a flat map and adds new models', () => {
      table.applyOverrideFile(writeOverride('flat.json', JSON.stringify({
        'my-finetune': { input_cost_per_token: 2e-6, output_cost_per_token: 8e-6 },
        'GPT-4O': { output_cost_per_token: 2e-5 },
      })));
      assert.equal(cost(table, 'my-finetune', { in: 1000, out: 1000 })?.costUsd, 0.01);
      assert.equal(cost(table, 'gpt-4o', { in: 0, out: 1000 })?.costUsd, 0.02);
      assert.equal(table.lookup('gpt-4o')?.key, 'gpt-4o');
    });

    it('reports a corrupt override file by name and keeps the snapshot working', () => {
      const file = writeOverride('broken.json', '{ "gpt-4o-mini": { "input_cost_per_token": 1e-6, ');
      const loaded = loadPriceTable({ overrideFile: file, now: new Date('2026-11-22T00:00:00Z') });
      assert.ok(loaded.overrideError instanceof PriceOverrideError);
      assert.ok(loaded.overrideError.message.includes(file), loaded.overrideError.message);
      assert.match(loaded.overrideError.message, /invalid JSON/);
      assert.deepEqual(loaded.warnings, [loaded.overrideError.message]);
      assert.equal(cost(loaded.table, 'gpt-4o-mini', { in: 1500, out: 500 })?.costUsd, 0.000525);
    });

    it('rejects invalid values atomically, naming the file and the model', () => {
      const file = writeOverride('negative.json', JSON.stringify({
        'gpt-4o': { input_cost_per_token: 1 },
        'gpt-4o-mini': { input_cost_per_token: -1 },
      }));
      assert.throws(() => table.applyOverrideFile(file), (error: unknown) =>
        error instanceof PriceOverrideError && error.file === file && error.message.includes('gpt-4o-mini'));
      assert.equal(cost(table, 'gpt-4o', { in: 1000, out: 0 })?.costUsd, 0.0025, 'the valid entry was not applied either');
    });

    it('requires an input rate for models the snapshot does not know', () => {
      const file = writeOverride('incomplete.json', JSON.stringify({ 'brand-new-model': { output_cost_per_token: 1e-6 } }));
      assert.throws(() => table.applyOverrideFile(file), /brand-new-model.*needs input_cost_per_token/);
    });

    it('reports a missing override file', () => {
      const loaded = loadPriceTable({ overrideFile: path.join(tmpDir, 'nope.json'), now: new Date('2026-11-22T00:00:00Z') });
      assert.match(loaded.overrideError?.message ?? '', /nope\.json ignored: cannot read it/);
    });
  });

  describe('staleness', () => {
    it('warns only once the snapshot is more than 90 days old', () => {
      assert.equal(table.stalenessWarning(new Date('2026-11-21T12:00:00Z')), null);
      assert.equal(table.stalenessWarning(new Date('2027-02-19T12:00:00Z')), null, '90 days');
      const warning = table.stalenessWarning(new Date('2027-02-20T12:00:00Z'));
      assert.match(warning ?? '', /91 days old \(fetched 2026-11-21/);
      assert.deepEqual(loadPriceTable({ now: new Date('2027-06-01T00:00:00Z') }).warnings.length, 1);
      assert.deepEqual(loadPriceTable({ now: new Date('2026-12-01T00:00:00Z') }).warnings, []);
    });
  });

  describe('savingsFor', () => {
    it('is what the avoided call would have cost', () => {
      assert.deepEqual(table.savingsFor('gpt-4o-mini', { inputTokens: 1500, outputTokens: 500 }), {
        savedUsd: 0.000525,
        source: 'price_table',
        pricedAs: 'gpt-4o-mini',
      });
      assert.equal(table.savingsFor('no-such-model', { inputTokens: 1, outputTokens: 1 }), null);
    });
  });
});
