// A change tested by a live split through the proxy (the worker has no evaluator, so replays cannot
// score it): the split override assigns runs to arms, calls.variant records it, the next cycle decides
// and applies the winner. And the scheduler runs cycles on its own when configured.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import OpenAI from 'openai';
import { makeTempDir, startTestDaemon, type TestDaemon } from '../../support/daemonHarness';
import { startFakeOpenAI, type FakeOpenAI } from '../../support/fakeOpenAI';

async function daemonWith(fake: FakeOpenAI, config: unknown): Promise<TestDaemon> {
  const workspace = makeTempDir('flowtune-split-');
  fs.writeFileSync(path.join(workspace, 'flowtune.config.json'), JSON.stringify(config));
  return startTestDaemon({ dataDir: path.join(workspace, '.flowtune'), upstream: fake.baseURL });
}

/** Runs of the one-step app; it posts its own quality score for every call (the split's quality signal). */
async function traffic(daemon: TestDaemon, runs: number, offset: number, feedback = true): Promise<void> {
  for (let i = 0; i < runs; i++) {
    const client = new OpenAI({ apiKey: 'k', baseURL: `${daemon.url}/openai/v1`, maxRetries: 0, defaultHeaders: { 'x-flowtune-token': daemon.token, 'x-flowtune-worker': 'sum', 'x-flowtune-run': `run-${offset + i}` } });
    const { response } = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `text ${offset + i}` }] }).withResponse();
    const callId = response.headers.get('x-flowtune-call-id');
    if (feedback && callId) await daemon.request('/v1/feedback', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ call_id: callId, quality: 1 }) });
  }
}

describe('live split through the proxy', function () {
  this.timeout(30_000);
  let fake: FakeOpenAI;
  before(async () => {
    fake = await startFakeOpenAI();
  });
  after(() => fake.close());

  it('splits runs between arms, reads assignments from calls.variant, and applies the winner', async () => {
    const daemon = await daemonWith(fake, { workers: [{ name: 'sum', model: 'gpt-4o' }], policy: { auto_apply: true }, optimize: { candidate_models: ['gpt-4o-mini'] } });
    try {
      await traffic(daemon, 40, 0);
      const first = (await (await daemon.request('/v1/optimize', { method: 'POST' })).json()) as { tested: Array<{ method: string }>; testing: Array<{ experiment_id: string }> };
      assert.equal(first.tested[0]?.method, 'split', JSON.stringify(first));
      assert.equal(first.testing.length, 1);
      const during = (await (await daemon.request('/v1/overrides/sum')).json()) as { override: { spec: { split?: { arms: Array<{ name: string; model?: string }> } } } };
      assert.deepEqual(during.override.spec.split?.arms.map((a) => [a.name, a.model ?? null]), [['control', null], ['treatment', 'gpt-4o-mini']]);

      const mark = fake.requests.length;
      await traffic(daemon, 80, 100);
      const models = fake.requests.slice(mark).map((r) => (JSON.parse(r.body) as { model: string }).model);
      const mini = models.filter((m) => m === 'gpt-4o-mini').length;
      assert.ok(mini > 20 && mini < 60, `treatment share ${mini}/80`);
      // The proxy stores a call just after its response ends: wait for the last one.
      const countSince = () => (daemon.daemon.ctx.db.prepare(`SELECT COUNT(*) AS n FROM calls WHERE CAST(substr(run_id, 5) AS INTEGER) >= 100`).get() as { n: number }).n;
      for (let i = 0; i < 50 && countSince() < 80; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const variants = daemon.daemon.ctx.db.prepare(`SELECT variant, COUNT(*) AS n FROM calls WHERE CAST(substr(run_id, 5) AS INTEGER) >= 100 GROUP BY variant ORDER BY variant`).all() as Array<{ variant: string; n: number }>;
      assert.deepEqual(variants.map((v) => v.variant), ['control', 'treatment']);
      assert.equal(variants[1].n, mini);

      const second = (await (await daemon.request('/v1/optimize', { method: 'POST' })).json()) as { applied: Array<{ title: string }> };
      assert.equal(second.applied.length, 1, JSON.stringify(second));
      const after = (await (await daemon.request('/v1/overrides/sum')).json()) as { override: { spec: { split?: unknown; model?: string } } };
      assert.equal(after.override.spec.split, undefined);
      assert.equal(after.override.spec.model, 'gpt-4o-mini');
      const experiments = (await (await daemon.request('/v1/experiments')).json()) as { experiments: Array<{ kind: string; state: string }> };
      assert.deepEqual(experiments.experiments.map((e) => [e.kind, e.state]), [['split', 'shipped']]);
    } finally {
      await daemon.stop();
    }
  });

  it('without a quality signal a model change waits and says what it needs; once feedback arrives it is split-tested', async () => {
    const daemon = await daemonWith(fake, { optimize: { candidate_models: ['gpt-4o-mini'] } });
    try {
      await traffic(daemon, 40, 0, false);
      const first = (await (await daemon.request('/v1/optimize', { method: 'POST' })).json()) as { waiting: Array<{ reason: string }>; testing: unknown[]; applied: unknown[] };
      assert.equal(first.waiting.length, 1, JSON.stringify(first));
      assert.match(first.waiting[0].reason, /\/v1\/feedback/);
      assert.deepEqual([first.testing.length, first.applied.length], [0, 0]);
      // Asked again with nothing new: still waiting, and not recorded twice.
      const again = (await (await daemon.request('/v1/optimize', { method: 'POST' })).json()) as { waiting: Array<{ recommendation_id: string }> };
      assert.equal(again.waiting[0]?.recommendation_id, (first.waiting[0] as unknown as { recommendation_id: string }).recommendation_id);
      await traffic(daemon, 20, 100, true);
      const third = (await (await daemon.request('/v1/optimize', { method: 'POST' })).json()) as { tested: Array<{ method: string }>; waiting: unknown[] };
      assert.equal(third.tested[0]?.method, 'split', JSON.stringify(third));
      assert.equal(third.waiting.length, 0);
    } finally {
      await daemon.stop();
    }
  });

  it('the scheduler runs cycles by itself when optimize.schedule_minutes is set', async () => {
    const daemon = await daemonWith(fake, { optimize: { schedule_minutes: 0.003 } });
    try {
      const deadline = Date.now() + 5000;
      let cycles = 0;
      while (Date.now() < deadline && cycles < 2) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        cycles = ((await (await daemon.request('/v1/report')).json()) as { system_evolution: { learning_cycles: number } }).system_evolution.learning_cycles;
      }
      assert.ok(cycles >= 2, `cycles ${cycles}`);
    } finally {
      await daemon.stop();
    }
  });
});
