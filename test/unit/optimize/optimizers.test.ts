import assert from 'node:assert/strict';
import { changeKey, wilsonLower } from '../../../daemon/optimize/optimizer';
import { cachingOptimizer } from '../../../daemon/optimize/optimizers/caching';
import { concurrencyOptimizer, recommendedLimit } from '../../../daemon/optimize/optimizers/concurrency';
import { maxTokensOptimizer, rightSizedCap } from '../../../daemon/optimize/optimizers/maxTokens';
import { modelSelectionOptimizer } from '../../../daemon/optimize/optimizers/modelSelection';
import { parallelizeOptimizer, sequentialPairs } from '../../../daemon/optimize/optimizers/parallelize';
import { compressPromptByRules, promptCompressionOptimizer } from '../../../daemon/optimize/optimizers/promptCompression';
import { retryTimeoutOptimizer } from '../../../daemon/optimize/optimizers/retryTimeout';
import { OPTIMIZERS } from '../../../daemon/optimize/registry';
import type { RunTrace } from '../../../daemon/optimize/optimizer';
import { measurements, worker } from './fixtures';

describe('optimizers', () => {
  it('are all registered once, by unique name', () => {
    const names = OPTIMIZERS.map((o) => o.name);
    assert.deepEqual(new Set(names).size, names.length);
    assert.deepEqual(names.sort(), ['caching', 'concurrency', 'max_tokens', 'model_selection', 'parallelize', 'prompt_compression', 'retry_timeout']);
  });

  it('Wilson lower bound: 9/10 → 0.5958, 0/n → 0', () => {
    assert.ok(Math.abs(wilsonLower(9, 10) - 0.59585) < 1e-4);
    assert.equal(wilsonLower(0, 50), 0);
    assert.equal(wilsonLower(0, 0), 0);
  });

  describe('max_tokens', () => {
    const natural = Array.from({ length: 200 }, (_, i) => 40 + (i % 10)).sort((a, b) => a - b);
    it('right-sizes to the natural p99 with headroom, rounded to 16', () => {
      // p99 = 49 → max(61.25, 81) → 96 after rounding up to 16? 81 → 96.
      assert.equal(rightSizedCap(natural), 96);
    });
    it('lowers a cap far above what outputs need, with the runaway saving as expected gain', () => {
      const w = worker({ maxTokens: 4000, naturalOutputTokens: natural, lengthStops: 10, calls: 210, costUsd: 1 });
      const [p] = maxTokensOptimizer.propose(measurements([w]));
      assert.equal(p.change.to, 96);
      assert.deepEqual(p.apply.override, { max_tokens: 96 });
      // 10 runaway × (4000 − 96) tokens × $1e-5 = $0.3904 of $1.
      assert.ok(Math.abs(p.expectedGain.relative + 0.3904) < 1e-9);
      assert.equal(p.evidence.would_be_cut, 0);
      assert.ok(p.confidence > 0.97 && p.confidence < 1, String(p.confidence));
      assert.equal(p.test.method, 'none');
    });
    it('proposes nothing when the cap is already close, or with too few outputs, or when tried', () => {
      assert.deepEqual(maxTokensOptimizer.propose(measurements([worker({ maxTokens: 120, naturalOutputTokens: natural })])), []);
      assert.deepEqual(maxTokensOptimizer.propose(measurements([worker({ maxTokens: 4000, naturalOutputTokens: natural.slice(0, 20) })])), []);
      const w = worker({ maxTokens: 4000, naturalOutputTokens: natural });
      const tried = new Set([changeKey('w', { kind: 'max_tokens', to: 96 })]);
      assert.deepEqual(maxTokensOptimizer.propose(measurements([w], { triedKeys: tried })), []);
    });
    it('raises a cap that cuts off many outputs, tested by replay on quality', () => {
      const crowded = Array.from({ length: 100 }, (_, i) => 350 + (i % 40)).sort((a, b) => a - b);
      const [p] = maxTokensOptimizer.propose(measurements([worker({ maxTokens: 400, naturalOutputTokens: crowded, lengthStops: 20, calls: 120 })]));
      assert.equal(p.change.to, 800);
      assert.deepEqual(p.test, { method: 'replay', primaryMetric: 'quality' });
    });
  });

  describe('caching', () => {
    it('proposes a cache from a measured duplicate rate, confidence from its interval', () => {
      const [p] = cachingOptimizer.propose(measurements([worker({ duplicate: { rate: 0.3, requests: 200 } })]));
      assert.deepEqual(p.apply.override, { cache: { enabled: true, ttl_seconds: 3600 } });
      assert.equal(p.expectedGain.relative, -0.3);
      assert.ok(p.confidence > 0.999);
    });
    it('halves confidence for sampled outputs (high temperature): a recommendation, not an auto-apply', () => {
      const [p] = cachingOptimizer.propose(measurements([worker({ temperature: 1, duplicate: { rate: 0.3, requests: 200 } })]));
      assert.ok(p.confidence < 0.51);
    });
    it('proposes nothing below 5% duplicates, with few requests, or when the cache is on', () => {
      assert.deepEqual(cachingOptimizer.propose(measurements([worker({ duplicate: { rate: 0.04, requests: 1000 } })])), []);
      assert.deepEqual(cachingOptimizer.propose(measurements([worker({ duplicate: { rate: 0.5, requests: 20 } })])), []);
      assert.deepEqual(cachingOptimizer.propose(measurements([worker({ duplicate: { rate: 0.5, requests: 200 }, override: { cache: { enabled: true, ttl_seconds: 60 } } })])), []);
    });
  });

  describe('model selection', () => {
    it('proposes cheaper candidates from the largest saving down, by the worker\'s own token mix', () => {
      const proposals = modelSelectionOptimizer.propose(measurements([worker()]));
      assert.deepEqual(proposals.map((p) => p.change.to), ['gpt-4o-mini', 'gpt-4.1-mini']);
      // 1000 in + 250 out: gpt-4o $0.005, gpt-4o-mini $0.0003 → 94% cheaper.
      assert.ok(Math.abs(proposals[0].expectedGain.relative + 0.94) < 1e-9);
      assert.equal(proposals[0].test.method, 'replay');
      assert.equal(proposals[0].confidence, 0.5);
    });
    it('after a candidate was tried, proposes the one nearest the current price first', () => {
      const nano = (m: Parameters<typeof measurements>[1] = {}) => measurements([worker()], { ...m, priceOf: (model) => ({ 'gpt-4o': { inputPerToken: 2.5e-6, outputPerToken: 1e-5 }, 'gpt-4o-mini': { inputPerToken: 1.5e-7, outputPerToken: 6e-7 }, 'gpt-4.1-mini': { inputPerToken: 4e-7, outputPerToken: 1.6e-6 }, 'gpt-4.1-nano': { inputPerToken: 1e-7, outputPerToken: 4e-7 } })[model] ?? null, candidateModels: ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1-mini', 'gpt-4.1-nano'] });
      assert.deepEqual(modelSelectionOptimizer.propose(nano()).map((p) => p.change.to), ['gpt-4.1-nano', 'gpt-4o-mini', 'gpt-4.1-mini']);
      const tried = new Set([changeKey('w', { kind: 'model', to: 'gpt-4.1-nano' })]);
      const after = modelSelectionOptimizer.propose(nano({ triedKeys: tried }));
      assert.deepEqual(after.map((p) => p.change.to), ['gpt-4.1-mini']);
      assert.deepEqual(after[0].evidence.other_candidates, ['gpt-4o-mini']);
    });
    it('proposes nothing for the cheapest model, unknown prices, few calls, or tried candidates', () => {
      assert.deepEqual(modelSelectionOptimizer.propose(measurements([worker({ primaryModel: 'gpt-4o-mini' })])), []);
      assert.deepEqual(modelSelectionOptimizer.propose(measurements([worker({ primaryModel: 'mystery-model' })])), []);
      assert.deepEqual(modelSelectionOptimizer.propose(measurements([worker({ calls: 10 })])), []);
      const tried = new Set(['gpt-4o-mini', 'gpt-4.1-mini'].map((to) => changeKey('w', { kind: 'model', to })));
      assert.deepEqual(modelSelectionOptimizer.propose(measurements([worker()], { triedKeys: tried })), []);
    });
  });

  describe('prompt compression', () => {
    it('collapses whitespace, drops repeated sentences and filler', () => {
      const prompt = 'Return JSON.   Please keep it short.\nReturn JSON. Be precise.\n\n\nBe precise.';
      assert.equal(compressPromptByRules(prompt), 'Return JSON. Keep it short.\nBe precise.');
    });
    it('proposes a stored variant when at least 10% and 40 characters are saved', () => {
      const prompt = `${'You are an editor. Return only JSON. '.repeat(4)}Keep it short.`;
      const [p] = promptCompressionOptimizer.propose(measurements([worker({ systemPrompt: prompt })]));
      assert.ok(p.apply.promptVariant);
      assert.equal(p.apply.override?.prompt_variant, p.apply.promptVariant.id);
      assert.equal(p.apply.promptVariant.systemPrompt, 'You are an editor. Return only JSON. Keep it short.');
      assert.ok(p.expectedGain.relative < 0);
    });
    it('proposes nothing for a tight prompt, no prompt, or a worker already on a variant', () => {
      assert.deepEqual(promptCompressionOptimizer.propose(measurements([worker({ systemPrompt: 'You are an editor. Return only JSON.' })])), []);
      assert.deepEqual(promptCompressionOptimizer.propose(measurements([worker()])), []);
      const prompt = 'Return JSON. '.repeat(20);
      assert.deepEqual(promptCompressionOptimizer.propose(measurements([worker({ systemPrompt: prompt, override: { prompt_variant: 'x' } })])), []);
    });
  });

  describe('parallelize', () => {
    const trace = (i: number, overlap = false): RunTrace => ({
      runId: `r${i}`,
      spans: [
        { worker: 'write', startedAt: 0, endedAt: 1000 },
        { worker: 'tags', startedAt: 1000, endedAt: 1200 },
        { worker: 'title', startedAt: overlap ? 1100 : 1200, endedAt: overlap ? 1250 : 1350 },
      ],
    });
    const config = { workers: [{ name: 'write' }, { name: 'tags', depends_on: ['write'] }, { name: 'title', depends_on: ['write'] }] } as never;
    it('finds sibling steps run one after another and the critical-path saving', () => {
      const pairs = sequentialPairs(Array.from({ length: 20 }, (_, i) => trace(i)));
      const tagsTitle = pairs.find((p) => p.first === 'tags' && p.second === 'title');
      assert.ok(tagsTitle);
      assert.equal(tagsTitle.sequentialRuns, 20);
      assert.equal(tagsTitle.meanSavingMs, 150);
      const proposals = parallelizeOptimizer.propose(measurements([], { traces: Array.from({ length: 20 }, (_, i) => trace(i)), config }));
      assert.equal(proposals.length, 1);
      assert.deepEqual(proposals[0].change.to, ['tags', 'title']);
      // 150 ms of a 1350 ms run.
      assert.ok(Math.abs(proposals[0].expectedGain.relative + 150 / 1350) < 1e-9);
      assert.equal(proposals[0].apply.override, undefined);
    });
    it('proposes nothing for declared dependencies, undeclared workers, or steps already overlapping', () => {
      const traces = Array.from({ length: 20 }, (_, i) => trace(i));
      const chained = { workers: [{ name: 'write' }, { name: 'tags', depends_on: ['write'] }, { name: 'title', depends_on: ['tags'] }] } as never;
      assert.deepEqual(parallelizeOptimizer.propose(measurements([], { traces, config: chained })), []);
      assert.deepEqual(parallelizeOptimizer.propose(measurements([], { traces })), []);
      assert.deepEqual(parallelizeOptimizer.propose(measurements([], { traces: Array.from({ length: 20 }, (_, i) => trace(i, true)), config })), []);
    });
  });

  describe('retry, timeout and concurrency', () => {
    it('recommends retries when transient failures reached the app unretried', () => {
      const proposals = retryTimeoutOptimizer.propose(measurements([worker({ rateLimited: 8, calls: 100, retried: 0 })]));
      assert.equal(proposals.length, 1);
      assert.equal(proposals[0].change.kind, 'retry');
      assert.equal(proposals[0].apply.edit?.kind, 'code');
    });
    it('recommends a timeout at 3× p95 when calls timed out', () => {
      const [p] = retryTimeoutOptimizer.propose(measurements([worker({ timeouts: 1, retried: 5, latencyP95Ms: 1500 })]));
      assert.equal(p.change.to, 5000);
    });
    it('proposes no retry change when retries already cover the failures, or there are none', () => {
      assert.deepEqual(retryTimeoutOptimizer.propose(measurements([worker({ rateLimited: 8, retried: 8 })])), []);
      assert.deepEqual(retryTimeoutOptimizer.propose(measurements([worker()])), []);
    });
    it('limits concurrency below the observed peak when rate limited', () => {
      assert.equal(recommendedLimit(10, 0.05), 8);
      assert.equal(recommendedLimit(10, 0.4), 6);
      assert.equal(recommendedLimit(1, 0.9), 1);
      const [p] = concurrencyOptimizer.propose(measurements([worker({ rateLimited: 10, calls: 100, peakConcurrency: 10 })]));
      assert.equal(p.change.to, 8);
      assert.deepEqual(concurrencyOptimizer.propose(measurements([worker({ rateLimited: 2, calls: 42, peakConcurrency: 8 })])), []);
      assert.deepEqual(concurrencyOptimizer.propose(measurements([worker({ rateLimited: 10, calls: 100, peakConcurrency: 1 })])), []);
    });
  });
});
