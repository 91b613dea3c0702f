// A human who decides while a live split is still running: the split stops (it leaves the worker's
// proxy override, the experiment is recorded as stopped) whether the change is dismissed or accepted.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import OpenAI from 'openai';
import { makeTempDir, startTestDaemon, type TestDaemon } from '../../support/daemonHarness';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fakeOpenAI';

const CONFIG = {
  workers: [
    { name: 'alpha', model: 'gpt-4o', evaluators: [{ type: 'icontains', value: 'hello' }] },
    { name: 'beta', model: 'gpt-4o', evaluators: [{ type: 'icontains', value: 'hello' }] },
  ],
  policy: { auto_apply: true, confidence_threshold: 0.9, quality_margin: 0.02 },
  optimize: { candidate_models: ['gpt-4o-mini'], experiment: 'split' },
};

interface Rec {
  id: string;
  state: string;
  experimentId: string | null;
}

describe('human decisions during a live split', function () {
  this.timeout(30_000);
  let fake: FakeOpenAI;
  let daemon: TestDaemon;

  before(async () => {
    fake = await startFakeOpenAI();
    const workspace = makeTempDir('flowtune-split-');
    fs.writeFileSync(path.join(workspace, 'flowtune.config.json'), JSON.stringify(CONFIG));
    daemon = await startTestDaemon({ dataDir: path.join(workspace, '.flowtune'), upstream: fake.baseURL });
    for (const worker of ['alpha', 'beta']) {
      const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${daemon.url}/openai/v1`, maxRetries: 0, defaultHeaders: { 'x-flowtune-token': daemon.token, 'x-flowtune-worker': worker } });
      for (let i = 0; i < 30; i++) {
        await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `item ${i}` }] }, { headers: { 'x-flowtune-run': `${worker}-${i}` } });
      }
    }
    const cycle = await daemon.request('/v1/optimize', { method: 'POST' });
    assert.equal(cycle.status, 200, await cycle.text());
  });
  after(async () => {
    await daemon.stop();
    await fake.close();
  });

  async function testingRecommendation(worker: string): Promise<Rec> {
    const body = (await (await daemon.request(`/v1/recommendations?worker=${worker}`)).json()) as { recommendations: Rec[] };
    const rec = body.recommendations.find((r) => r.state === 'testing');
    assert.ok(rec, JSON.stringify(body));
    return rec;
  }
  async function split(worker: string): Promise<unknown> {
    const body = (await (await daemon.request(`/v1/overrides/${worker}`)).json()) as { override: { spec: { split?: unknown } } | null };
    return body.override?.spec.split ?? null;
  }
  async function experimentState(id: string): Promise<string | undefined> {
    const body = (await (await daemon.request('/v1/experiments')).json()) as { experiments: Array<{ id: string; state: string }> };
    return body.experiments.find((e) => e.id === id)?.state;
  }

  it('dismissing stops the split', async () => {
    const rec = await testingRecommendation('alpha');
    assert.notEqual(await split('alpha'), null, 'the split runs');
    const dismissed = await daemon.request(`/v1/recommendations/${rec.id}/dismiss`, { method: 'POST' });
    assert.equal(dismissed.status, 200, await dismissed.clone().text());
    assert.equal(await split('alpha'), null, 'no traffic is split any more');
    assert.equal(await experimentState(rec.experimentId as string), 'stopped');
  });

  it('accepting stops the split and applies the change for every run', async () => {
    // One cycle starts at most one split at a time; with alpha's settled, the next one tests beta.
    let body = (await (await daemon.request('/v1/recommendations?worker=beta')).json()) as { recommendations: Rec[] };
    for (let cycle = 0; cycle < 3 && !body.recommendations.some((r) => r.state === 'testing'); cycle++) {
      assert.equal((await daemon.request('/v1/optimize', { method: 'POST' })).status, 200);
      body = (await (await daemon.request('/v1/recommendations?worker=beta')).json()) as { recommendations: Rec[] };
    }
    const rec = await testingRecommendation('beta');
    const accepted = await daemon.request(`/v1/recommendations/${rec.id}/accept`, { method: 'POST' });
    assert.equal(accepted.status, 200, await accepted.clone().text());
    assert.equal(((await accepted.json()) as { recommendation: { state: string } }).recommendation.state, 'applied');
    assert.equal(await split('beta'), null);
    const override = (await (await daemon.request('/v1/overrides/beta')).json()) as { override: { spec: { model?: string }; set_by: string } };
    assert.equal(override.override.spec.model, 'gpt-4o-mini');
    assert.equal(await experimentState(rec.experimentId as string), 'stopped');
  });
});
