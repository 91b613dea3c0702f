// A real daemon with the fake upstream: an optimize cycle proposes a cheaper model, tests it by
// paired replay, applies it as an override the proxy then uses, watches it and rolls it back on an
// injected regression; plus human decisions, the decision log, and the report in JSON and HTML.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import OpenAI from 'openai';
import { makeTempDir, startTestDaemon, type TestDaemon } from '../../support/daemonHarness';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fakeOpenAI';

const CONFIG = {
  workers: [
    { name: 'summarize', model: 'gpt-4o', evaluators: [{ type: 'icontains', value: 'hello' }] },
    { name: 'shout', evaluators: [{ type: 'regex', value: 'fake' }] },
  ],
  policy: { auto_apply: true, confidence_threshold: 0.9, quality_margin: 0.02 },
  budgets: { replay_usd: 1 },
  optimize: { candidate_models: ['gpt-4o-mini'], watch_min_calls: 20 },
};

interface CycleBody {
  cycle: number;
  applied: Array<{ recommendation_id: string; title: string }>;
  rolled_back: Array<{ recommendation_id: string }>;
  tested: Array<{ method: string; verdict: string; samples: number; spent_usd: number; title: string }>;
  left_for_review: Array<{ recommendation_id: string; title: string }>;
}

describe('optimize cycle over a real daemon', function () {
  this.timeout(30_000);
  let fake: FakeOpenAI;
  let daemon: TestDaemon;
  let workspace: string;

  before(async () => {
    fake = await startFakeOpenAI();
    workspace = makeTempDir('flowtune-optimize-');
    fs.writeFileSync(path.join(workspace, 'flowtune.config.json'), JSON.stringify(CONFIG, null, 2));
    daemon = await startTestDaemon({ dataDir: path.join(workspace, '.flowtune'), upstream: fake.baseURL });
  });
  after(async () => {
    await daemon.stop();
    await fake.close();
  });

  function client(worker: string, run: string): OpenAI {
    return new OpenAI({
      apiKey: 'sk-test',
      baseURL: `${daemon.url}/openai/v1`,
      maxRetries: 0,
      defaultHeaders: { 'x-flowtune-token': daemon.token, 'x-flowtune-worker': worker, 'x-flowtune-run': run },
    });
  }

  async function traffic(count: number, offset: number, system = 'You summarise text.'): Promise<number> {
    let failed = 0;
    for (let i = 0; i < count; i++) {
      try {
        await client('summarize', `run-${offset + i}`).chat.completions.create({
          model: 'gpt-4o',
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: `document number ${offset + i}` },
          ],
        });
      } catch {
        failed++;
      }
    }
    return failed;
  }

  async function optimize(): Promise<CycleBody> {
    const response = await daemon.request('/v1/optimize', { method: 'POST' });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as CycleBody;
  }

  it('proposes, replays, applies an override the proxy uses, and rolls back on a regression', async () => {
    await traffic(40, 0);
    const first = await optimize();
    const tested = first.tested.find((t) => t.title.includes('gpt-4o-mini'));
    assert.ok(tested, JSON.stringify(first));
    assert.equal(tested.method, 'replay');
    assert.equal(tested.verdict, 'ship');
    assert.ok(tested.samples >= 30 && tested.samples <= 40, `samples ${tested.samples}`);
    assert.ok(tested.spent_usd > 0);
    assert.equal(first.applied.length, 1);

    const override = (await (await daemon.request('/v1/overrides/summarize')).json()) as { override: { spec: { model?: string }; set_by: string } };
    assert.equal(override.override.spec.model, 'gpt-4o-mini');
    assert.equal(override.override.set_by, 'flowtune');

    const before = fake.requests.length;
    await traffic(20, 100);
    const routed = fake.requests.slice(before).map((r) => (JSON.parse(r.body) as { model: string }).model);
    assert.deepEqual(new Set(routed), new Set(['gpt-4o-mini']));

    // Injected regression: the upstream fails for the next 25 requests.
    fake.setFault({ kind: 'server_error', status: 500 }, 25);
    assert.equal(await traffic(25, 200), 25);
    const second = await optimize();
    assert.equal(second.rolled_back.length, 1, JSON.stringify(second));
    assert.equal(second.rolled_back[0].recommendation_id, first.applied[0].recommendation_id);
    const after = (await (await daemon.request('/v1/overrides/summarize')).json()) as { override: { spec: { model?: string } } | null };
    assert.equal(after.override?.spec.model, undefined);
    const mark = fake.requests.length;
    await traffic(1, 300);
    assert.equal((JSON.parse(fake.requests[mark].body) as { model: string }).model, 'gpt-4o');

    const rec = (await (await daemon.request(`/v1/recommendations/${first.applied[0].recommendation_id}`)).json()) as { recommendation: { state: string; edit: { file: string; newText: string } | null } };
    assert.equal(rec.recommendation.state, 'rolled_back');
    assert.equal(rec.recommendation.edit?.file, 'flowtune.config.json');
    assert.equal(rec.recommendation.edit?.newText, '"gpt-4o-mini"');

    const decisions = (await (await daemon.request('/v1/decisions')).json()) as { decisions: Array<{ actor: string; action: string }> };
    const actions = decisions.decisions.map((d) => d.action);
    assert.ok(actions.includes('apply') && actions.includes('rollback') && actions.filter((a) => a === 'cycle').length === 2, actions.join(','));
    const markdown = await (await daemon.request('/v1/decisions.md')).text();
    assert.match(markdown, /^# Flowtune decision log/);
    assert.match(markdown, /rollback/);
  });

  it('records human decisions: accept applies, rollback undoes, dismiss closes', async () => {
    // A compressible system prompt that contains HTML: the recommendation carries it, the report must escape it.
    const noisy = 'You summarise text.   You summarise text. <script>alert(1)</script> Keep it short.\n\nPlease keep it short. Be precise. Be precise.';
    for (let i = 0; i < 30; i++) {
      await client('shout', `shout-${i}`).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: noisy }, { role: 'user', content: `text ${i}` }] });
    }
    await daemon.request('/v1/optimize', { method: 'POST' });
    const list = (await (await daemon.request('/v1/recommendations?worker=shout')).json()) as { recommendations: Array<{ id: string; state: string; optimizer: string }> };
    const compression = list.recommendations.find((r) => r.optimizer === 'prompt_compression');
    assert.ok(compression, JSON.stringify(list));
    // The cycle may have shipped it, or left it under a live split when the replay was inconclusive
    // (timing-dependent): bring it to a state a human may accept from, through the human routes.
    if (compression.state === 'applied') {
      const rolled = await daemon.request('/v1/rollback', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ recommendation_id: compression.id, reason: 'test' }) });
      assert.equal(rolled.status, 200);
    }
    if (compression.state === 'testing') {
      const dismissed = await daemon.request(`/v1/recommendations/${compression.id}/dismiss`, { method: 'POST' });
      assert.equal(dismissed.status, 200);
    }
    const accepted = await daemon.request(`/v1/recommendations/${compression.id}/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":"looks right"}' });
    assert.equal(accepted.status, 200, await accepted.clone().text());
    assert.equal(((await accepted.json()) as { recommendation: { state: string } }).recommendation.state, 'applied');
    const override = (await (await daemon.request('/v1/overrides/shout')).json()) as { override: { spec: { prompt_variant?: string }; set_by: string } };
    assert.match(override.override.spec.prompt_variant ?? '', /^ft-compress-shout-/);
    assert.equal(override.override.set_by, 'human');
    const rolledBack = await daemon.request('/v1/rollback', { method: 'POST' });
    assert.equal(rolledBack.status, 200);
    assert.equal(((await rolledBack.json()) as { recommendation: { id: string } }).recommendation.id, compression.id);
    const again = await daemon.request(`/v1/recommendations/${compression.id}/dismiss`, { method: 'POST' });
    assert.equal(again.status, 409);
    // Accepted once more, so the report below lists it with its prompt.
    assert.equal((await daemon.request(`/v1/recommendations/${compression.id}/accept`, { method: 'POST' })).status, 200);
    const missing = await daemon.request('/v1/recommendations/nope/accept', { method: 'POST' });
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { type: string } }).error.type, 'not_found');

    const decisions = (await (await daemon.request('/v1/decisions')).json()) as { decisions: Array<{ actor: string; action: string }> };
    assert.ok(decisions.decisions.some((d) => d.actor === 'human' && d.action === 'apply'));
    assert.ok(decisions.decisions.some((d) => d.actor === 'human' && d.action === 'rollback'));
  });

  it('answers the evolution report in the DESIGN shape, and HTML with every prompt escaped', async () => {
    const report = (await (await daemon.request('/v1/report')).json()) as { system_evolution: Record<string, unknown> };
    const evo = report.system_evolution;
    assert.deepEqual(Object.keys(evo).sort(), ['autonomous_decisions', 'cost_savings', 'current_performance', 'human_interventions', 'improvements_applied', 'initial_performance', 'learning_cycles'].sort());
    for (const key of ['initial_performance', 'current_performance'] as const) {
      assert.deepEqual(Object.keys(evo[key] as object).sort(), ['avg_generation_time', 'cost_per_content', 'quality_score', 'success_rate']);
    }
    assert.equal(evo.learning_cycles, 3);
    assert.ok((evo.autonomous_decisions as number) >= 3);
    assert.ok((evo.human_interventions as number) >= 3);
    assert.ok((evo.improvements_applied as unknown[]).length >= 1);
    assert.equal(typeof evo.cost_savings, 'string');
    for (const item of evo.improvements_applied as Array<Record<string, unknown>>) assert.deepEqual(Object.keys(item).sort(), ['impact', 'learned_from', 'type']);

    const html = await (await daemon.request('/v1/report.html')).text();
    assert.match(html, /<svg /);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /https?:\/\//);
  });
});
