// The rule-based analysis of a worker's figures: the probabilities behind its confidence against
// closed forms, the seed request's figures answered with a recommendation per problem (failures,
// timeouts, slow and expensive calls, quality spread), and healthy figures answered with none.
import assert from 'node:assert/strict';
import { figureRecommendations, FIGURE_NORMS, probRateAbove, probSdAbove, probTypicalAbove, sampleSd } from '../../../daemon/insights/figureRules';
import { mergeRecommendations } from '../../../daemon/insights/ruleInsights';
import { workerStatistics } from '../../../daemon/insights/workerStatistics';
import type { AnalyzeWorkerRequest } from '../../../shared/http/insights';

function statsOf(request: AnalyzeWorkerRequest) {
  const { worker_name: worker, ...provided } = request;
  return workerStatistics({ worker, window: { since: 0, until: 1 }, metrics: null, measurements: null, provided });
}

const SEED: AnalyzeWorkerRequest = { worker_name: 'topic_researcher', execution_times: [25000, 30000, 22000], success_rate: 0.94, avg_cost: 0.02, quality_scores: [0.85, 0.91, 0.78] };

describe('figure rules: probabilities', () => {
  it('P(rate > norm) is the Beta(1+k, 1+n-k) tail (closed form for Beta(2,2))', () => {
    // Beta(2,2): CDF(x) = 3x² − 2x³.
    assert.ok(Math.abs(probRateAbove(0.5, 2, 0.01) - (1 - (3 * 0.01 ** 2 - 2 * 0.01 ** 3))) < 1e-12);
    assert.ok(probRateAbove(0.003, 1000, 0.01) < 0.05, 'a rate well under the norm over many calls is not a problem');
  });
  it('P(σ > σ0) is the χ²(n−1) law of the sample variance (closed form for 2 degrees of freedom)', () => {
    const s = 0.06;
    const x = (2 * s * s) / (0.05 * 0.05);
    assert.ok(Math.abs(probSdAbove(s, 3, 0.05) - (1 - Math.exp(-x / 2))) < 1e-12);
  });
  it('P(a typical call exceeds the threshold) with every sample above it is 1 − 0.5^(n+1)', () => {
    assert.equal(probTypicalAbove([11, 12, 13], 10), 1 - 0.5 ** 4);
    assert.equal(probTypicalAbove([1, 2, 3], 10), 0.5 ** 4);
  });
  it('sample standard deviation uses n − 1', () => {
    assert.ok(Math.abs((sampleSd([0.85, 0.91, 0.78]) ?? 0) - 0.065064) < 1e-6);
    assert.equal(sampleSd([1]), null);
  });
});

describe('figure rules: the seed request', () => {
  const recs = figureRecommendations(statsOf(SEED), { executionTimes: SEED.execution_times, qualityScores: SEED.quality_scores });
  const by = (parameter: string) => recs.find((r) => r.parameter === parameter);

  it('answers every problem the figures show, most confident first', () => {
    assert.deepEqual(recs.map((r) => r.parameter).sort(), ['model', 'other', 'retries', 'timeout_ms']);
    for (let i = 1; i < recs.length; i++) assert.ok(recs[i - 1].confidence >= recs[i].confidence);
    for (const r of recs) {
      assert.ok(r.confidence > 0 && r.confidence <= 1, `${r.title}: ${r.confidence}`);
      assert.ok(Object.keys(r.evidence).length > 3, `${r.title} carries its evidence`);
    }
  });
  it('failures: retries with the success rate they would give if failures are transient', () => {
    const retries = by('retries');
    assert.ok(retries);
    assert.equal(retries.category, 'quality');
    assert.ok(Math.abs(retries.expected_improvement.relative_change - ((1 - 0.06 ** 3) / 0.94 - 1)) < 1e-4);
    assert.equal(retries.evidence.error_rate_norm, FIGURE_NORMS.errorRate);
    assert.ok(retries.confidence > 0.9, `6% failing vs a 1% norm: ${retries.confidence}`);
  });
  it('a timeout at twice the p95', () => {
    assert.equal(by('timeout_ms')?.new_value, '60000');
  });
  it('slow and expensive calls: a smaller model, tested by split, filed under cost', () => {
    const model = by('model');
    assert.ok(model);
    assert.equal(model.category, 'cost');
    assert.equal(model.confidence, 1 - 0.5 ** 4);
    assert.equal(model.evidence.latency_p50_ms, 25000);
    assert.equal(model.evidence.cost_per_call_usd, 0.02);
  });
  it('quality spread: a guard whose gain is the regenerated share times its shortfall', () => {
    const guard = by('other');
    assert.ok(guard);
    const m = (0.85 + 0.91 + 0.78) / 3;
    assert.ok(Math.abs(guard.expected_improvement.relative_change - ((m - 0.78) / 3) / m) < 1e-4);
    assert.equal(guard.evidence.quality_min, 0.78);
    assert.ok(Math.abs(guard.confidence - probSdAbove(sampleSd(SEED.quality_scores ?? []) ?? 0, 3, 0.05)) < 1e-4);
  });
});

describe('figure rules: healthy figures and merging', () => {
  it('a fast, reliable, cheap, steady worker gets no recommendation', () => {
    const healthy: AnalyzeWorkerRequest = { worker_name: 'ok', execution_times: [800, 900, 1000, 950], success_rate: 0.999, avg_cost: 0.001, quality_scores: [0.9, 0.91, 0.92] };
    assert.deepEqual(figureRecommendations(statsOf(healthy), { executionTimes: healthy.execution_times, qualityScores: healthy.quality_scores }), []);
  });
  it('a long tail alone asks for a timeout, not retries', () => {
    const tail: AnalyzeWorkerRequest = { worker_name: "t", execution_times: [1000, 1100, 900, 1000, 1050, 950, 1000, 1020, 980, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 6000, 6000] };
    const recs = figureRecommendations(statsOf(tail), { executionTimes: tail.execution_times });
    assert.deepEqual(recs.map((r) => r.parameter), ['timeout_ms']);
    assert.equal(recs[0].new_value, '12000');
  });
  it('merging keeps the first list whole and adds what it does not change', () => {
    const seed = figureRecommendations(statsOf(SEED), { executionTimes: SEED.execution_times, qualityScores: SEED.quality_scores });
    const first = [{ ...seed[0], id: 'rec-1', parameter: 'model' as const }];
    const merged = mergeRecommendations(first, seed);
    assert.equal(merged[0].id, 'rec-1');
    assert.equal(merged.filter((r) => r.parameter === 'model').length, 1);
    assert.equal(merged.length, seed.length);
  });
});
