import assert from 'node:assert/strict';
import { canScore, scoreOutput } from '../../../daemon/optimize/evaluators/scoreOutput';
import { scoreRule } from '../../../daemon/optimize/evaluators/ruleEvaluators';

describe('evaluators (promptfoo vocabulary)', () => {
  it('is-json accepts JSON (also fenced) and rejects prose', () => {
    assert.equal(scoreRule({ type: 'is-json' }, '{"a":1}').value, 1);
    assert.equal(scoreRule({ type: 'is-json' }, '```json\n[1,2]\n```').value, 1);
    assert.equal(scoreRule({ type: 'is-json' }, 'Sure! {"a":1}').value, 0);
  });
  it('contains is case-sensitive, icontains is not', () => {
    assert.equal(scoreRule({ type: 'contains', value: 'Sources' }, 'sources: x').value, 0);
    assert.equal(scoreRule({ type: 'icontains', value: 'Sources' }, 'sources: x').value, 1);
  });
  it('regex matches, and an invalid pattern scores 0 with a reason', () => {
    assert.equal(scoreRule({ type: 'regex', value: '^Fact \\d+:' }, 'Fact 1: x').value, 1);
    const bad = scoreRule({ type: 'regex', value: '(' }, 'x');
    assert.equal(bad.value, 0);
    assert.match(bad.reason, /invalid regex/);
  });
  it('length bounds are inclusive', () => {
    assert.equal(scoreRule({ type: 'length', min: 3, max: 5 }, 'abc').value, 1);
    assert.equal(scoreRule({ type: 'length', min: 3, max: 5 }, 'abcde').value, 1);
    assert.equal(scoreRule({ type: 'length', max: 5 }, 'abcdef').value, 0);
    assert.equal(scoreRule({ type: 'length', min: 3 }, 'ab').value, 0);
  });
  it('the worker score is the mean of its evaluators; rubrics need a judge', async () => {
    const evaluators = [{ type: 'is-json' as const }, { type: 'contains' as const, value: 'sections' }, { type: 'llm-rubric' as const, value: 'is it good?' }];
    const score = await scoreOutput(evaluators, 'in', '{"topic":"x"}', null);
    assert.equal(score.quality, 0.5);
    assert.equal(score.scores.length, 2);
    assert.equal(canScore([{ type: 'llm-rubric', value: 'x' }], null), false);
    assert.equal(canScore([], null), false);
    assert.equal((await scoreOutput([], 'in', 'out', null)).quality, null);
  });
});
