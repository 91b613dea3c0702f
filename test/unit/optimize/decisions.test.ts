import assert from 'node:assert/strict';
import { decideOutcome } from '../../../daemon/optimize/decidePolicy';
import { judgeWatch, type WindowMetrics } from '../../../daemon/optimize/watchApplied';
import { signTestPValue, withSignTestFallback } from '../../../daemon/optimize/experiments/signTestFallback';
import { DEFAULT_DECISION_SETTINGS, decidePairedReplay, type ReplayPair } from '../../../daemon/optimize/stats';

const base: WindowMetrics = { calls: 200, successRate: 0.99, costPerCall: 0.01, latencyMeanMs: 1000, quality: 0.9, qualityCount: 200, qualityVariance: 0.05 };

describe('decide, apply and watch rules', () => {
  it('applies only a shipped live change with auto-apply on and confidence at the threshold', () => {
    const ship = { verdict: 'ship' as const, threshold: 0.9, autoApply: true, appliesLive: true };
    assert.equal(decideOutcome({ ...ship, confidence: 0.9 }), 'apply');
    assert.equal(decideOutcome({ ...ship, confidence: 0.899 }), 'recommend');
    assert.equal(decideOutcome({ ...ship, confidence: 0.99, autoApply: false }), 'recommend');
    assert.equal(decideOutcome({ ...ship, confidence: 0.99, appliesLive: false }), 'recommend');
    assert.equal(decideOutcome({ ...ship, verdict: 'reject', confidence: 0.99 }), 'reject');
    assert.equal(decideOutcome({ ...ship, verdict: 'continue', confidence: 0.5, splitRunning: true }), 'testing');
    assert.equal(decideOutcome({ ...ship, verdict: 'continue', confidence: 0.5 }), 'recommend');
  });

  it('watch: pending below the minimum calls, held when nothing regressed', () => {
    assert.equal(judgeWatch(base, { ...base, calls: 10 }, { metric: 'cost', relative: -0.5 }, { minCalls: 30, qualityMargin: 0.02 }).verdict, 'pending');
    const held = judgeWatch(base, { ...base, costPerCall: 0.005 }, { metric: 'cost', relative: -0.5 }, { minCalls: 30, qualityMargin: 0.02 });
    assert.equal(held.verdict, 'held');
    assert.equal(held.changes.cost, -0.5);
  });

  it('watch: a significant success drop, a quality drop beyond the margin, or a cost rise is a regression', () => {
    const opts = { minCalls: 30, qualityMargin: 0.02 };
    const exp = { metric: 'cost', relative: -0.5 };
    const failing = judgeWatch(base, { ...base, calls: 45, successRate: 20 / 45 }, exp, opts);
    assert.equal(failing.verdict, 'regressed');
    assert.match(failing.reasons[0], /success rate fell/);
    assert.equal(judgeWatch(base, { ...base, quality: 0.8 }, exp, opts).verdict, 'regressed');
    // Within the margin plus noise: not a regression.
    assert.equal(judgeWatch(base, { ...base, quality: 0.885 }, exp, opts).verdict, 'held');
    assert.equal(judgeWatch(base, { ...base, costPerCall: 0.012 }, exp, opts).verdict, 'regressed');
    // A one-call blip in a small window is not significant.
    assert.equal(judgeWatch({ ...base, successRate: 1 }, { ...base, calls: 30, successRate: 29 / 30 }, exp, opts).verdict, 'held');
  });

  it('sign test: exact one-sided binomial tail', () => {
    assert.ok(Math.abs(signTestPValue(10, 0) - 1 / 1024) < 1e-15);
    // P(X ≥ 8 | 10, ½) = 56/1024.
    assert.ok(Math.abs(signTestPValue(8, 2) - 56 / 1024) < 1e-12);
    assert.equal(signTestPValue(0, 0), 1);
  });

  it('sign-test fallback ships a zero-variance improvement and leaves everything else alone', () => {
    const obs = (cost: number, latencyMs: number) => ({ cost, latencyMs, quality: 1, success: true });
    // Same tokens under a 16.7× cheaper price: treatment = 0.06 × control exactly, so the ratio has no variance.
    const pairs: ReplayPair[] = Array.from({ length: 30 }, (_, i) => ({ control: obs(0.01 + i * 1e-4, 100 + (i % 7)), treatment: obs((0.01 + i * 1e-4) * 0.06, 100 + ((i * 3) % 7)) }));
    const settings = { ...DEFAULT_DECISION_SETTINGS, maxSamples: 30, qualityMargin: 0.02 };
    const plain = decidePairedReplay(pairs, settings);
    assert.notEqual(plain.decision, 'ship');
    const fallback = withSignTestFallback(plain, pairs, settings, 3);
    assert.equal(fallback.decision, 'ship');
    assert.ok(fallback.confidence > 0.999);
    // The same costs the other way round must never ship.
    const worse = pairs.map((p) => ({ control: p.treatment, treatment: p.control }));
    assert.notEqual(withSignTestFallback(decidePairedReplay(worse, settings), worse, settings, 3).decision, 'ship');
  });
});
