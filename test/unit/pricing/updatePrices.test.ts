import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PriceTable } from '../../../daemon/pricing/priceTable';

const SCRIPT = path.resolve(__dirname, '../../../scripts/update-prices.mjs');

// A few entries shaped like LiteLLM's file, covering each filtering rule.
const LITELLM_SAMPLE = {
  sample_spec: { input_cost_per_token: 0, litellm_provider: 'one of https://docs.litellm.ai/docs/providers', mode: 'one of: chat' },
  'gpt-4o-mini': {
    cache_read_input_token_cost: 7.5e-8, cache_read_input_token_cost_priority: 1.25e-7, input_cost_per_token: 1.5e-7,
    input_cost_per_token_batches: 7.5e-8, litellm_provider: 'openai', max_input_tokens: 128000, max_output_tokens: 16384,
    max_tokens: 16384, mode: 'chat', output_cost_per_token: 6e-7, supports_vision: true,
  },
  'claude-sonnet-4-5': {
    cache_creation_input_token_cost: 3.75e-6, cache_creation_input_token_cost_above_1hr: 6e-6, cache_read_input_token_cost: 3e-7,
    input_cost_per_token: 3e-6, input_cost_per_token_above_200k_tokens: 6e-6, litellm_provider: 'anthropic', mode: 'chat', output_cost_per_token: 1.5e-5,
  },
  'deepseek/deepseek-r1': { input_cost_per_token: 5.5e-7, input_cost_per_token_cache_hit: 1.4e-7, litellm_provider: 'deepseek', mode: 'chat', output_cost_per_token: 2.19e-6 },
  'dall-e-3': { input_cost_per_image: 0.04, litellm_provider: 'openai', mode: 'image_generation' },
  'azure/gpt-4o': { input_cost_per_token: 2.5e-6, litellm_provider: 'azure', mode: 'chat', output_cost_per_token: 1e-5 },
  'azure/eu/gpt-4o-2024-08-06': { input_cost_per_token: 2.75e-6, litellm_provider: 'azure', mode: 'chat', output_cost_per_token: 1.1e-5 },
  'openrouter/openai/gpt-4o': { input_cost_per_token: 2.5e-6, litellm_provider: 'openrouter', mode: 'chat', output_cost_per_token: 1e-5 },
  'gpt-5.2-pro': { input_cost_per_token: 2.1e-5, litellm_provider: 'openai', mode: 'responses', output_cost_per_token: 1.68e-4 },
};

describe('scripts/update-prices.mjs', () => {
  it('filters a LiteLLM file into a loadable snapshot with provenance', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowtune-update-prices-'));
    try {
      const input = path.join(dir, 'litellm.json');
      const out = path.join(dir, 'snapshot.json');
      fs.writeFileSync(input, JSON.stringify(LITELLM_SAMPLE));
      execFileSync(process.execPath, [SCRIPT, input, '--out', out, '--commit', 'abcdef1', '--fetched-at', '2026-11-21', '--min-models', '1'], { stdio: 'pipe' });
      const snapshot = JSON.parse(fs.readFileSync(out, 'utf8'));
      assert.equal(snapshot.source_commit, 'abcdef1');
      assert.equal(snapshot.source, 'https://github.com/BerriAI/litellm/blob/abcdef1/model_prices_and_context_window.json');
      assert.equal(snapshot.license, 'MIT, Copyright (c) 2023 Berri AI');
      assert.deepEqual(Object.keys(snapshot.models), ['azure/gpt-4o', 'claude-sonnet-4-5', 'deepseek/deepseek-r1', 'gpt-4o-mini', 'gpt-5.2-pro']);
      assert.deepEqual(snapshot.models['gpt-4o-mini'], {
        cache_read_input_token_cost: 7.5e-8, input_cost_per_token: 1.5e-7, litellm_provider: 'openai',
        max_input_tokens: 128000, max_output_tokens: 16384, mode: 'chat', output_cost_per_token: 6e-7,
      });
      assert.equal(snapshot.models['claude-sonnet-4-5'].input_cost_per_token_above_200k_tokens, 6e-6);
      assert.equal(snapshot.models['claude-sonnet-4-5'].cache_creation_input_token_cost_above_1hr, undefined);
      assert.equal(snapshot.models['deepseek/deepseek-r1'].cache_read_input_token_cost, 1.4e-7);
      const table = PriceTable.fromSnapshot(snapshot);
      assert.equal(table.computeCost({ model: 'gpt-4o-mini', inputTokens: 1500, outputTokens: 500 })?.costUsd, 0.000525);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses input that is not the LiteLLM file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowtune-update-prices-'));
    try {
      const input = path.join(dir, 'other.json');
      fs.writeFileSync(input, JSON.stringify({ hello: 'world' }));
      assert.throws(
        () => execFileSync(process.execPath, [SCRIPT, input, '--out', path.join(dir, 'out.json')], { stdio: 'pipe' }),
        (error: unknown) => String((error as { stderr?: Buffer }).stderr).includes('only 0 models survived'),
      );
      assert.equal(fs.existsSync(path.join(dir, 'out.json')), false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
