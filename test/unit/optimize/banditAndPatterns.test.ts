import assert from 'node:assert/strict';
import { banditStep, updateBackfired, type BanditHistoryPoint } from '../../../daemon/optimize/promptBandit';
import { feedbackPatterns, isJsonText, lengthBucket, structureOf } from '../../../daemon/optimize/feedbackPatterns';

const arm = (name: string, n: number, mean: number, variance = 0.05) => ({ name, promptVariant: name === 'app' ? null : name, n, mean, variance });
const point = (cycle: number, action: BanditHistoryPoint['action'], reward: number | null, n = 50): BanditHistoryPoint => ({ cycle, at: cycle, action, weights: [0.5, 0.5], reward, rewardN: n, rewardVariance: 0.04 });

describe('prompt bandit (REFERENCES A §4 guards)', () => {
  it('stays uniform until every arm has 100 scored pulls', () => {
    const step = banditStep([arm('app', 99, 0.6), arm('v', 300, 0.9)], [], { reward: null, rewardN: 0, rewardVariance: 0 }, { seed: 1 });
    assert.equal(step.action, 'burn_in');
    assert.deepEqual(step.weights, [0.5, 0.5]);
  });
  it('adapts with a 1% floor once burned in, and finishes at 0.99', () => {
    const close = banditStep([arm('app', 120, 0.7, 0.09), arm('v', 120, 0.72, 0.09)], [], { reward: null, rewardN: 0, rewardVariance: 0 }, { seed: 1 });
    assert.equal(close.action, 'update');
    assert.ok(Math.min(...close.weights) >= 0.01);
    assert.ok(Math.abs(close.weights.reduce((s, w) => s + w, 0) - 1) < 1e-9);
    assert.ok(close.weights[1] > close.weights[0]);
    const clear = banditStep([arm('app', 150, 0.6), arm('v', 150, 0.9)], [], { reward: null, rewardN: 0, rewardVariance: 0 }, { seed: 1 });
    assert.equal(clear.action, 'finish');
    assert.equal(clear.winner, 1);
    // Floor: the loser keeps exactly the additive floor when it never wins a draw.
    assert.ok(Math.abs(clear.weights[0] - 0.01) < 1e-9);
  });
  it('rolls back an update whose realised reward fell by more than two standard errors', () => {
    const history = [point(1, 'burn_in', 0.8), point(2, 'update', 0.8)];
    assert.equal(updateBackfired(history[0], { reward: 0.6, rewardN: 50, rewardVariance: 0.04 }), true);
    assert.equal(updateBackfired(history[0], { reward: 0.78, rewardN: 50, rewardVariance: 0.04 }), false);
    const step = banditStep([arm('app', 120, 0.7), arm('v', 120, 0.72)], history, { reward: 0.6, rewardN: 50, rewardVariance: 0.04 }, { seed: 1 });
    assert.equal(step.action, 'rollback');
    assert.deepEqual(step.weights, history[0].weights);
  });
});

describe('feedback patterns', () => {
  it('buckets outputs by length, format and structure', () => {
    assert.equal(lengthBucket('x'.repeat(199)), '<200 chars');
    assert.equal(lengthBucket('x'.repeat(2000)), '≥2000 chars');
    assert.equal(isJsonText('{"a":1}'), true);
    assert.equal(isJsonText('"just a string"'), false);
    assert.equal(structureOf('# Title\ntext'), 'structured (headings/lists)');
    assert.equal(structureOf('plain prose.'), 'prose');
  });
  it('means and 95% intervals per group', () => {
    const outputs = [
      { output: '{"a":1}', variant: 'v1', quality: 1 },
      { output: '{"a":2}', variant: 'v1', quality: 0.5 },
      { output: 'prose', variant: null, quality: 0 },
    ];
    const groups = feedbackPatterns(outputs);
    const json = groups.find((g) => g.feature === 'format' && g.value === 'json');
    assert.ok(json);
    assert.equal(json.n, 2);
    assert.equal(json.mean, 0.75);
    // sd = 0.35355, half-width = 1.959964 × 0.35355 / √2 = 0.48999.
    assert.ok(Math.abs(json.ci[1] - json.mean - 0.48999) < 1e-4);
    assert.ok(groups.some((g) => g.feature === 'variant' && g.value === 'app prompt' && g.mean === 0));
  });
});
