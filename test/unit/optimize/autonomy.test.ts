// Guard rails of autonomous changes and zero-config candidates: numbers in, decisions out.
import assert from 'node:assert/strict';
import { cannotAlterOutput, qualitySignalOf, waitReason } from '../../../daemon/optimize/autonomy';
import { candidateModels, listedPrice, parseModelList } from '../../../daemon/optimize/upstreamModels';
import type { Proposal } from '../../../daemon/optimize/optimizer';
import { worker } from './fixtures';

function proposal(override: Proposal['apply']['override'], promptVariant?: Proposal['apply']['promptVariant']): Proposal {
  return {
    optimizer: 'x',
    worker: 'w',
    title: 't',
    change: { kind: 'model', from: 'a', to: 'b' },
    evidence: {},
    expectedGain: { metric: 'cost', relative: -0.5, description: '' },
    confidence: 0.9,
    test: { method: 'split', primaryMetric: 'cost' },
    apply: { override, ...(promptVariant ? { promptVariant } : {}) },
  };
}

describe('autonomy guard rails', () => {
  it('a quality signal is posted feedback, a rule evaluator, or a judge with a rubric; else none', () => {
    assert.equal(qualitySignalOf({ qualityCount: 10, config: null }, false), 'feedback');
    assert.equal(qualitySignalOf({ qualityCount: 9, config: null }, false), 'none');
    assert.equal(qualitySignalOf({ qualityCount: 0, config: { evaluators: [{ type: 'is-json' }] } }, false), 'evaluator');
    assert.equal(qualitySignalOf({ qualityCount: 0, config: { evaluators: [{ type: 'llm-rubric', value: 'good?' }] } }, false), 'none');
    assert.equal(qualitySignalOf({ qualityCount: 0, config: { evaluators: [{ type: 'llm-rubric', value: 'good?' }] } }, true), 'judge');
  });

  it('only a temperature-0 cache and a cap above every natural output cannot alter what the app receives', () => {
    const w = worker({ temperature: 0, naturalOutputTokens: [40, 50, 90] });
    assert.equal(cannotAlterOutput(proposal({ cache: { enabled: true, ttl_seconds: 60 } }), w), true);
    assert.equal(cannotAlterOutput(proposal({ cache: { enabled: true, ttl_seconds: 60 } }), worker({ temperature: 0.3 })), false);
    assert.equal(cannotAlterOutput(proposal({ cache: { enabled: true, ttl_seconds: 60 } }), worker({ temperature: null })), false);
    assert.equal(cannotAlterOutput(proposal({ max_tokens: 128 }), w), true);
    assert.equal(cannotAlterOutput(proposal({ max_tokens: 90 }), w), false);
    assert.equal(cannotAlterOutput(proposal({ max_tokens: 128 }), worker({ naturalOutputTokens: [] })), false);
    assert.equal(cannotAlterOutput(proposal({ model: 'gpt-4o-mini' }), w), false);
    assert.equal(cannotAlterOutput(proposal({ prompt_variant: 'v' }, { id: 'v', systemPrompt: 's', description: 'd' }), w), false);
  });

  it('without a signal the others wait and say what they need; with one nothing waits', () => {
    const w = worker({ temperature: 0, naturalOutputTokens: [10] });
    assert.match(waitReason(proposal({ model: 'gpt-4o-mini' }), w, 'none') ?? '', /\/v1\/feedback.*evaluator.*judge/);
    assert.equal(waitReason(proposal({ model: 'gpt-4o-mini' }), w, 'feedback'), null);
    assert.equal(waitReason(proposal({ cache: { enabled: true, ttl_seconds: 60 } }), w, 'none'), null);
    // An edit-only proposal never applies by itself anyway: nothing to hold.
    assert.equal(waitReason(proposal(undefined), w, 'none'), null);
  });
});

describe('zero-config candidate models', () => {
  it('reads the prices a listing carries (OpenRouter strings, per-token numbers, per million) and none otherwise', () => {
    assert.deepEqual(listedPrice({ pricing: { prompt: '0.000002', completion: '0.000008' } }), { inputPerToken: 2e-6, outputPerToken: 8e-6 });
    assert.deepEqual(listedPrice({ input_cost_per_token: 1e-7, output_cost_per_token: 4e-7 }), { inputPerToken: 1e-7, outputPerToken: 4e-7 });
    const perMillion = listedPrice({ pricing: { input_per_million: 0.5, output_per_million: 2 } });
    assert.ok(perMillion && Math.abs(perMillion.inputPerToken - 5e-7) < 1e-18 && Math.abs(perMillion.outputPerToken - 2e-6) < 1e-18);
    assert.equal(listedPrice({ pricing: { prompt: 'n/a' } }), null);
    assert.equal(listedPrice({ id: 'x' }), null);
    assert.deepEqual(parseModelList({ data: [{ id: 'a' }, { id: '' }, 7, { id: 'b', pricing: { input: 1e-6, output: 2e-6 } }] }), [
      { id: 'a', price: null },
      { id: 'b', price: { inputPerToken: 1e-6, outputPerToken: 2e-6 } },
    ]);
    assert.deepEqual(parseModelList({ error: 'nope' }), []);
  });

  it('listed models are the candidates; the config narrows them; without a listing the config and store name them', () => {
    const usable = (m: string) => m !== 'text-embedding-3-small' && m !== 'unpriced';
    assert.deepEqual(candidateModels({ listed: ['big', 'small', 'text-embedding-3-small', 'unpriced'], configured: [], seen: ['big'], usable }), ['big', 'small']);
    assert.deepEqual(candidateModels({ listed: ['big', 'small', 'tiny'], configured: ['tiny'], seen: ['big'], usable }), ['tiny', 'big']);
    assert.deepEqual(candidateModels({ listed: [], configured: ['tiny'], seen: ['big'], usable }), ['tiny', 'big']);
  });
});
