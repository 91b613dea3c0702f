// A model's suggestions go through the experiment pipeline: the next optimization cycle replays each
// stored hypothesis against recorded inputs; one that would raise the cost is rejected, one that helps
// ships (auto_apply) as a live override — and neither acts before its experiment.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import OpenAI from 'openai';
import { makeTempDir, startTestDaemon, type TestDaemon } from '../../support/daemonHarness';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fakeOpenAI';
import { isAnalysisRequest } from './insightsFixtures';

function suggestion(worker: string): string {
  const move = worker === 'cheap' ? { from: 'gpt-4o-mini', to: 'gpt-4o' } : { from: 'gpt-4o', to: 'gpt-4o-mini' };
  // 'few' has too few recorded inputs for a replay: its hypothesis must wait for a human, not ship.
  return JSON.stringify({
    summary: `analysis of ${worker}`,
    recommendations: [
      {
        category: worker === 'cheap' ? 'quality' : 'cost',
        title: `Use ${move.to}`,
        parameter: 'model',
        current_value: move.from,
        new_value: move.to,
        rationale: 'the model thinks so',
        expected_improvement: worker === 'cheap' ? { metric: 'cost_per_call', relative_change: -0.2, description: 'wrongly expects it to be cheaper' } : { metric: 'cost_per_call', relative_change: -0.9, description: 'cheaper' },
        confidence: 0.9,
      },
    ],
  });
}

describe('AI insights: hypotheses tested by the optimization cycle', function () {
  this.timeout(60_000);
  let fake: FakeOpenAI;
  let daemon: TestDaemon;

  before(async () => {
    fake = await startFakeOpenAI();
    fake.setChatResponder((body) => {
      if (!isAnalysisRequest(body)) return undefined;
      const text = JSON.stringify(body.messages);
      const worker = ['cheap', 'few'].find((name) => text.includes(`\\"worker\\": \\"${name}\\"`)) ?? 'pricey';
      return { content: suggestion(worker) };
    });
    const workspace = makeTempDir('flowtune-insights-cycle-');
    const config = {
      workers: [
        { name: 'pricey', model: 'gpt-4o', evaluators: [{ type: 'icontains', value: 'hello' }] },
        { name: 'cheap', model: 'gpt-4o-mini', evaluators: [{ type: 'icontains', value: 'hello' }] },
        { name: 'few', model: 'gpt-4o', evaluators: [{ type: 'icontains', value: 'hello' }] },
      ],
      // A low threshold: the untestable hypothesis's prior (0.9 × 0.8) would clear it if priors could ship.
      policy: { auto_apply: true, confidence_threshold: 0.6, quality_margin: 0.02 },
      budgets: { replay_usd: 1 },
      optimize: { experiment: 'replay' },
      insights: { model: 'gpt-4o-mini', base_url: fake.baseURL },
    };
    fs.writeFileSync(path.join(workspace, 'flowtune.config.json'), JSON.stringify(config));
    daemon = await startTestDaemon({ dataDir: path.join(workspace, '.flowtune'), upstream: fake.baseURL });
    for (const [worker, model, count] of [
      ['pricey', 'gpt-4o', 40],
      ['cheap', 'gpt-4o-mini', 40],
      ['few', 'gpt-4o', 10],
    ] as const) {
      const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${daemon.url}/openai/v1`, maxRetries: 0, defaultHeaders: { 'x-flowtune-token': daemon.token, 'x-flowtune-worker': worker } });
      for (let i = 0; i < count; i++) {
        await client.chat.completions.create({ model, messages: [{ role: 'system', content: 'You summarise text.' }, { role: 'user', content: `${worker} document ${i}` }] });
      }
    }
  });
  after(async () => {
    await daemon.stop();
    await fake.close();
  });

  async function analyze(worker: string): Promise<void> {
    const response = await daemon.request('/v1/analyze/worker-performance', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ worker_name: worker }) });
    assert.equal(response.status, 200, await response.clone().text());
  }
  async function overrideModel(worker: string): Promise<string | undefined> {
    const body = (await (await daemon.request(`/v1/overrides/${worker}`)).json()) as { override: { spec: { model?: string } } | null };
    return body.override?.spec.model;
  }

  it('rejects the hypothesis that raises the cost and applies the one that lowers it, each after a replay; an untestable one waits', async () => {
    await analyze('cheap');
    await analyze('pricey');
    await analyze('few');
    assert.equal(await overrideModel('pricey'), undefined, 'a suggestion never applies itself');
    assert.equal(await overrideModel('cheap'), undefined);

    const response = await daemon.request('/v1/optimize', { method: 'POST' });
    assert.equal(response.status, 200);
    const cycle = (await response.json()) as {
      tested: Array<{ recommendation_id: string; title: string; method: string; verdict: string; samples: number }>;
      applied: Array<{ recommendation_id: string }>;
      rejected: Array<{ recommendation_id: string; reasons: string[] }>;
    };
    const cheap = cycle.tested.find((t) => t.title.startsWith('cheap:') && t.title.includes('(AI hypothesis)'));
    const pricey = cycle.tested.find((t) => t.title.startsWith('pricey:') && t.title.includes('(AI hypothesis)'));
    assert.ok(cheap && pricey, JSON.stringify(cycle.tested));
    assert.equal(cheap.method, 'replay');
    assert.equal(cheap.verdict, 'reject');
    assert.ok(cheap.samples >= 8);
    assert.ok(cycle.rejected.some((r) => r.recommendation_id === cheap.recommendation_id));
    assert.equal(pricey.method, 'replay');
    assert.equal(pricey.verdict, 'ship');
    assert.ok(cycle.applied.some((a) => a.recommendation_id === pricey.recommendation_id));

    assert.equal(await overrideModel('pricey'), 'gpt-4o-mini');
    assert.equal(await overrideModel('cheap'), undefined);

    // No experiment possible (10 recorded inputs, replay only): not shipped on the model's word.
    const few = cycle.tested.find((t) => t.title.startsWith('few:') && t.title.includes('(AI hypothesis)'));
    assert.ok(few, JSON.stringify(cycle.tested));
    assert.equal(few.method, 'none');
    assert.equal(few.verdict, 'continue');
    assert.ok(!cycle.applied.some((a) => a.recommendation_id === few.recommendation_id));
    assert.equal(await overrideModel('few'), undefined);

    const listed = (await (await daemon.request('/v1/analyze/hypotheses')).json()) as { hypotheses: Array<{ worker: string; state: string; recommendationId: string | null }> };
    const byWorker = Object.fromEntries(listed.hypotheses.map((h) => [h.worker, h]));
    assert.equal(byWorker.cheap.state, 'rejected');
    assert.equal(byWorker.cheap.recommendationId, cheap.recommendation_id);
    assert.equal(byWorker.pricey.state, 'shipped');
    assert.equal(byWorker.few.state, 'open');

    const rec = (await (await daemon.request(`/v1/recommendations/${pricey.recommendation_id}`)).json()) as { recommendation: { optimizer: string; evidence: { hypothesis_id?: string } } };
    assert.equal(rec.recommendation.optimizer, 'ai-insights');
    assert.match(rec.recommendation.evidence.hypothesis_id ?? '', /^hyp_/);

    // Taken up once: the next cycle does not test them again.
    const again = (await (await daemon.request('/v1/optimize', { method: 'POST' })).json()) as { tested: Array<{ title: string }> };
    assert.equal(again.tested.filter((t) => t.title.includes('(AI hypothesis)')).length, 0);
  });
});
