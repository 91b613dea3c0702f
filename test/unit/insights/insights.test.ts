// AI insights with numbers alone: settings (off until configured), statistics and evidence, the
// model's answer parsed or refused with the right error, suggestions turned into testable changes,
// hypotheses into proposals that need an experiment, rules into the same shape, prompts without
// content, and the editor's markdown escaped.
import assert from 'node:assert/strict';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { parseInsights, upstreamError } from '../../../daemon/insights/analysisModel';
import { testableChange } from '../../../daemon/insights/hypothesisChange';
import { hypothesisProposals } from '../../../daemon/insights/hypothesisOptimizer';
import { insightMessages } from '../../../daemon/insights/insightPrompt';
import { resolveInsightsSettings, type InsightsSettings } from '../../../daemon/insights/insightsSettings';
import { stateFromRecommendation, type HypothesisStatus } from '../../../daemon/insights/insightStore';
import { ruleRecommendations } from '../../../daemon/insights/ruleInsights';
import { evidenceFor, nearestRank, workerStatistics } from '../../../daemon/insights/workerStatistics';
import { changeKey } from '../../../daemon/optimize/optimizer';
import { OPTIMIZERS } from '../../../daemon/optimize/registry';
import { HttpError } from '../../../daemon/server/httpError';
import { insightsMarkdown } from '../../../extension/insightsMarkdown';
import { projectConfigSchema } from '../../../shared/config';
import { modelInsightsSchema, type ModelRecommendation, type WorkerPerformanceAnalysis, type WorkerStatistics } from '../../../shared/http/insights';
import { measurements, worker } from '../optimize/fixtures';

const SETTINGS: InsightsSettings = { baseURL: 'http://127.0.0.1:1/v1', model: 'm', apiKey: 'k', includeContent: false, timeoutMs: 1234 };

function stats(overrides: Partial<WorkerStatistics> = {}): WorkerStatistics {
  return { ...workerStatistics({ worker: 'w', window: { since: 0, until: 1 }, metrics: null, measurements: worker({ maxTokens: 512, temperature: 0.7 }), provided: {} }), ...overrides };
}

function suggestion(overrides: Partial<ModelRecommendation> = {}): ModelRecommendation {
  return {
    category: 'cost',
    title: 't',
    parameter: 'model',
    current_value: 'gpt-4o',
    new_value: 'gpt-4o-mini',
    rationale: 'r',
    expected_improvement: { metric: 'cost_per_call', relative_change: -0.5, description: 'd' },
    confidence: 0.8,
    ...overrides,
  };
}

describe('insights: settings', () => {
  const sources = (config: unknown, secrets: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}, upstream: string | null = 'https://api.example/v1') => ({
    config: projectConfigSchema.parse(config),
    upstream,
    secret: (name: 'analysisApiKey' | 'judgeApiKey') => secrets[name],
    env,
  });

  it('is off until a model is configured, here or for the judge', () => {
    assert.equal(resolveInsightsSettings(sources({})), null);
    assert.equal(resolveInsightsSettings(sources({ insights: { include_content: true } })), null);
    const judged = resolveInsightsSettings(sources({ judge: { model: 'gpt-4o-mini' } }));
    assert.deepEqual(judged, { baseURL: 'https://api.example/v1', model: 'gpt-4o-mini', apiKey: 'flowtune-no-key', includeContent: false, timeoutMs: 60_000 });
    assert.equal(resolveInsightsSettings(sources({ judge: { model: 'j' } }, {}, {}, null)), null, 'no endpoint known');
  });

  it('prefers the insights section, then the judge; the analysis key, then the judge key, then the environment', () => {
    const s = resolveInsightsSettings(
      sources({ judge: { model: 'j', base_url: 'http://judge/v1' }, insights: { model: 'a', base_url: 'http://ollama:11434/v1', timeout_ms: 500 } }, { analysisApiKey: 'ka', judgeApiKey: 'kj' }, { OPENAI_API_KEY: 'ke' }),
    );
    assert.deepEqual(s, { baseURL: 'http://ollama:11434/v1', model: 'a', apiKey: 'ka', includeContent: false, timeoutMs: 500 });
    assert.equal(resolveInsightsSettings(sources({ judge: { model: 'j', base_url: 'http://judge/v1' } }, { judgeApiKey: 'kj' }))?.apiKey, 'kj');
    assert.equal(resolveInsightsSettings(sources({ judge: { model: 'j' } }, {}, { OPENAI_API_KEY: 'ke' }))?.apiKey, 'ke');
    assert.equal(resolveInsightsSettings(sources({ judge: { model: 'j' }, insights: { enabled: false } })), null);
  });
});

describe('insights: statistics and evidence', () => {
  it('takes nearest-rank quantiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(nearestRank(values, 0.5), 50);
    assert.equal(nearestRank(values, 0.95), 95);
    assert.equal(nearestRank(values, 0.99), 99);
    assert.equal(nearestRank([7], 0.99), 7);
    assert.equal(nearestRank([], 0.5), null);
  });

  it('puts the request figures in place of the store and names them', () => {
    const s = workerStatistics({ worker: 'x', window: { since: 0, until: 1 }, metrics: null, measurements: null, provided: { execution_times: [300, 100, 200, 400], quality_scores: [1, 0] } });
    assert.equal(s.calls, 0);
    assert.deepEqual(s.latency_ms, { mean: 250, p50: 200, p95: 400, p99: 400, samples: 4 });
    assert.deepEqual(s.quality, { mean: 0.5, count: 2 });
    assert.deepEqual(s.provided, ['execution_times', 'quality_scores']);
    assert.equal(s.success_rate, null);
  });

  it('gives each category its own measured figures', () => {
    const s = stats();
    assert.ok('latency_p95_ms' in evidenceFor('speed', s) && !('cost_per_call_usd' in evidenceFor('speed', s)));
    assert.ok('cost_per_call_usd' in evidenceFor('cost', s));
    assert.equal(evidenceFor('quality', s).temperature, 0.7);
  });
});

describe('insights: the analysis model answer', () => {
  const valid = JSON.stringify({ summary: 's', recommendations: [suggestion()] });

  it('parses a valid answer', () => {
    assert.equal(parseInsights(valid, null, 'stop').recommendations[0].new_value, 'gpt-4o-mini');
  });

  it('answers each failure with its status and type', () => {
    const cases: Array<[string | null, string | null, string | null, number, string, RegExp]> = [
      [null, 'I will not', 'stop', 422, 'insights_refusal', /refused: I will not/],
      [valid, null, 'content_filter', 422, 'insights_refusal', /content filter/],
      ['{"summary":', null, 'length', 502, 'insights_invalid_output', /ran out of tokens/],
      ['', null, 'stop', 502, 'insights_invalid_output', /nothing/],
      ['{"summary": "x", ', null, 'stop', 502, 'insights_invalid_output', /not valid JSON/],
      ['{"summary": "x"}', null, 'stop', 502, 'insights_invalid_output', /recommendations/],
      [JSON.stringify({ summary: 's', recommendations: [suggestion({ parameter: 'colour' as 'model' })] }), null, 'stop', 502, 'insights_invalid_output', /recommendations\.0\.parameter/],
    ];
    for (const [content, refusal, finish, status, type, message] of cases) {
      assert.throws(
        () => parseInsights(content, refusal, finish),
        (error: HttpError) => error.status === status && error.type === type && message.test(error.message),
        `${content} ${refusal} ${finish}`,
      );
    }
  });

  it('maps transport failures: timeout 504, rate limit 429, others 502', () => {
    assert.equal(upstreamError(new APIConnectionTimeoutError(), SETTINGS).status, 504);
    assert.match(upstreamError(new APIConnectionTimeoutError(), SETTINGS).message, /1234 ms/);
    assert.equal(upstreamError(new APIConnectionError({ message: 'refused' }), SETTINGS).status, 502);
    assert.equal(upstreamError(APIError.generate(429, { message: 'slow down' }, 'slow down', new Headers()), SETTINGS).status, 429);
    const unauthorised = upstreamError(APIError.generate(401, { message: 'bad key' }, 'bad key', new Headers()), SETTINGS);
    assert.equal(unauthorised.status, 502);
    assert.match(unauthorised.message, /401/);
  });

  it('sends the zod schema as a strict JSON schema with every field required', () => {
    const format = zodResponseFormat(modelInsightsSchema, 'worker_performance_insights');
    assert.equal(format.json_schema.strict, true);
    const schema = format.json_schema.schema as { required: string[]; additionalProperties: boolean; properties: { recommendations: { items: { required: string[] } } } };
    assert.deepEqual(schema.required.sort(), ['recommendations', 'summary']);
    assert.equal(schema.additionalProperties, false);
    assert.equal(schema.properties.recommendations.items.required.length, 8);
  });
});

describe('insights: suggestions become testable changes', () => {
  it('maps model, max_tokens and temperature onto overrides', () => {
    const s = stats();
    assert.deepEqual(testableChange(suggestion(), s), { testable: true, change: { kind: 'model', from: 'gpt-4o', to: 'gpt-4o-mini' }, override: { model: 'gpt-4o-mini' }, primaryMetric: 'cost' });
    const tokens = testableChange(suggestion({ parameter: 'max_tokens', new_value: '256 tokens', expected_improvement: { metric: 'latency_ms', relative_change: -0.2, description: '' } }), s);
    assert.ok(tokens.testable && tokens.override.max_tokens === 256 && tokens.primaryMetric === 'latencyMs' && tokens.change.from === 512);
    const temperature = testableChange(suggestion({ parameter: 'temperature', new_value: '0.2', expected_improvement: { metric: 'quality', relative_change: 0.05, description: '' } }), s);
    assert.ok(temperature.testable && temperature.override.temperature === 0.2 && temperature.primaryMetric === 'quality');
  });

  it('says why other suggestions cannot be tested', () => {
    const s = stats();
    const notes = [
      testableChange(suggestion({ new_value: 'gpt-4o' }), s),
      testableChange(suggestion({ new_value: 'use a smaller model please' }), s),
      testableChange(suggestion({ parameter: 'max_tokens', new_value: 'fewer' }), s),
      testableChange(suggestion({ parameter: 'temperature', new_value: '3' }), s),
      testableChange(suggestion({ parameter: 'prompt', new_value: 'shorter' }), s),
      testableChange(suggestion(), stats({ calls: 0 })),
    ].map((c) => (c.testable ? 'testable' : c.note));
    assert.deepEqual(notes.map((n) => n.split(' ').slice(0, 3).join(' ')), ['the worker already', '"use a smaller', '"fewer" is not', '"3" is not', 'a prompt change', 'no recorded calls']);
  });
});

describe('insights: hypotheses enter the experiment pipeline', () => {
  const hypothesis = (overrides: Partial<HypothesisStatus> = {}): HypothesisStatus => ({
    id: 'hyp_1',
    analysisId: 'ins_1',
    worker: 'w',
    category: 'cost',
    title: 'Use gpt-4o-mini',
    change: { kind: 'model', from: 'gpt-4o', to: 'gpt-4o-mini' },
    override: { model: 'gpt-4o-mini' },
    expectedGain: { metric: 'cost', relative: -0.8, description: 'cheaper' },
    evidence: { calls: 100 },
    confidence: 0.9,
    createdAt: 0,
    state: 'pending',
    recommendationId: null,
    ...overrides,
  });

  it('proposes pending hypotheses of measured workers, needing an experiment, tested by replay', () => {
    const [p] = hypothesisProposals([hypothesis()], measurements([worker()]));
    assert.equal(p.optimizer, 'ai-insights');
    assert.equal(p.requiresExperiment, true);
    assert.equal(p.test.method, 'replay');
    assert.equal(p.test.primaryMetric, 'cost');
    assert.deepEqual(p.apply.override, { model: 'gpt-4o-mini' });
    assert.deepEqual(p.apply.edit, { kind: 'config', key: 'model', value: 'gpt-4o-mini' });
    assert.equal(p.evidence.hypothesis_id, 'hyp_1');
    assert.ok(Math.abs(p.confidence - 0.72) < 1e-12, 'the model’s confidence is only a prior');
  });

  it('leaves out unmeasured workers and changes already tried', () => {
    const h = hypothesis();
    assert.equal(hypothesisProposals([hypothesis({ worker: 'gone' })], measurements([worker()])).length, 0);
    assert.equal(hypothesisProposals([h], measurements([worker()], { triedKeys: new Set([changeKey('w', h.change)]) })).length, 0);
  });

  it('reads a hypothesis’s fate from its recommendation', () => {
    assert.equal(stateFromRecommendation('pending', null), 'pending');
    assert.equal(stateFromRecommendation('superseded', null), 'superseded');
    assert.equal(stateFromRecommendation('pending', 'testing'), 'testing');
    assert.equal(stateFromRecommendation('pending', 'applied'), 'shipped');
    assert.equal(stateFromRecommendation('pending', 'rejected'), 'rejected');
    assert.equal(stateFromRecommendation('pending', 'rolled_back'), 'rejected');
    assert.equal(stateFromRecommendation('pending', 'open'), 'open');
  });
});

describe('insights: rules and prompts', () => {
  it('answers the rule-based optimizers’ proposals for the worker in the insights shape', () => {
    const m = measurements([worker({ worker: 'w' }), worker({ worker: 'other' })]);
    const recs = ruleRecommendations(OPTIMIZERS, m, { ...stats(), worker: 'w' });
    const model = recs.find((r) => r.parameter === 'model');
    assert.ok(model);
    assert.equal(model.category, 'cost');
    assert.equal(model.expected_improvement.metric, 'cost_per_call');
    assert.ok(model.expected_improvement.relative_change < -0.5);
    assert.equal(model.evidence.current_model, 'gpt-4o');
    assert.ok(recs.every((r) => r.title.startsWith('w:')));
  });

  it('sends aggregates only, unless content is allowed', () => {
    const base = { statistics: stats(), evaluatorKinds: ['llm-rubric'], candidates: [] };
    const plain = JSON.stringify(insightMessages({ ...base, systemPrompt: null }));
    assert.match(plain, /latency_ms/);
    assert.doesNotMatch(plain, /system prompt \(shared/);
    const shared = JSON.stringify(insightMessages({ ...base, systemPrompt: 'You are PANGOLIN.' }));
    assert.match(shared, /PANGOLIN/);
  });
});

describe('insights: the editor document', () => {
  it('escapes everything the model or the store wrote', () => {
    const analysis: WorkerPerformanceAnalysis = {
      analysis_id: 'ins_1',
      worker: 'w*<b>',
      source: 'model',
      model: 'm',
      generated_at: 0,
      summary: 'Click [here](https://evil.example) <img src=x onerror=alert(1)>',
      statistics: stats(),
      recommendations: [
        {
          id: 'rec-1',
          ...suggestion({ title: '`code` | table', rationale: '# heading\n- list' }),
          evidence: { cost_per_call_usd: 0.00123, note: '<script>' },
          hypothesis: { id: 'hyp_1', state: 'pending', note: 'stored' },
        },
      ],
      notes: ['only aggregates'],
      insights_call: { call_id: 'c', cost_usd: 0.0004, input_tokens: 1, output_tokens: 1, latency_ms: 12 },
    };
    const markdown = insightsMarkdown(analysis);
    assert.doesNotMatch(markdown, /(?<!\\)<(img|script|b>)|(?<!\\)\]\(https/);
    assert.match(markdown, /\\\[here\\\]\(https:\/\/evil\.example\)/);
    assert.match(markdown, /### cost · \\`code\\` \\\| table/);
    assert.match(markdown, /why: \\# heading - list/);
    assert.match(markdown, /cost\\_per\\_call\\_usd 0\.00123/);
    assert.match(markdown, /\\<script\\>/);
    assert.match(markdown, /expected: cost\\_per\\_call -50% — d/);
  });
});
