// Live overrides, prompt variants, traffic splits and the response cache, through the control API
// and the real openai client; overrides survive a daemon restart and each change can be undone.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { duplicateRate } from '../../../daemon/proxy/responseCache';
import { makeTempDir } from '../../support/daemonHarness';
import { FAKE_REPLY, startFakeOpenAI, type FakeOpenAI } from '../../support/fakeOpenAI';
import { allCalls, startProxyRig, waitForCall, type ProxyRig } from './proxyHarness';

const MESSAGES = [
  { role: 'system' as const, content: 'You are helpful.' },
  { role: 'user' as const, content: 'Summarise the news' },
];
const CHAT = { model: 'gpt-4o-mini', messages: MESSAGES, temperature: 0 };

async function api(rig: ProxyRig, method: string, pathname: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await rig.daemon.request(pathname, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

function lastUpstreamBody(fake: FakeOpenAI): Record<string, unknown> {
  return JSON.parse(fake.requests.at(-1)?.body ?? '{}') as Record<string, unknown>;
}

describe('proxy: cache and live overrides', () => {
  let rig: ProxyRig;
  beforeEach(async () => {
    rig = await startProxyRig();
  });
  afterEach(async () => {
    await rig.stop();
  });

  it('cache opt-in per worker: hits replay exactly, cost 0 with the saving, errors never cached, streams replayed', async () => {
    const client = rig.viaProxy({ worker: 'summariser' });
    // Off by default: the duplicate is measured but goes upstream.
    await client.chat.completions.create(CHAT);
    await client.chat.completions.create(CHAT);
    assert.equal(rig.fake.requests.length, 2);
    rig.proxy.records.flush();
    assert.equal(duplicateRate(rig.db, 'summariser', 60_000).rate, 0.5);

    const put = await api(rig, 'PUT', '/v1/overrides/summariser', { set: { cache: { enabled: true, ttl_seconds: 60 } }, set_by: 'test', reason: 'deterministic worker' });
    assert.equal(put.status, 200);
    const miss = await client.chat.completions.create(CHAT).withResponse();
    assert.equal(miss.response.headers.get('x-flowtune-cache'), 'miss');
    const hit = await client.chat.completions.create({ temperature: 0, messages: MESSAGES, model: 'gpt-4o-mini' }).withResponse();
    assert.equal(hit.response.headers.get('x-flowtune-cache'), 'hit');
    assert.equal(rig.fake.requests.length, 3, 'the hit did not reach the upstream');
    assert.deepEqual(hit.data, miss.data);
    assert.equal(hit.response.headers.get('x-request-id'), 'req_fake_1');

    const missRow = await waitForCall(rig.db, miss.response.headers.get('x-flowtune-call-id'));
    const hitRow = await waitForCall(rig.db, hit.response.headers.get('x-flowtune-call-id'));
    assert.deepEqual([hitRow.cache_hit, hitRow.cost_usd, hitRow.cost_source, hitRow.status], [1, 0, 'cache_hit', 'ok']);
    assert.equal(hitRow.output_text, missRow.output_text);
    assert.equal(hitRow.output_tokens, 5);
    const savings = await api(rig, 'GET', '/v1/proxy/cache?worker=summariser');
    const saving = (savings.json.savings as Array<{ hits: number; savedUsd: number }>)[0];
    assert.equal(saving.hits, 1);
    assert.ok(Math.abs(saving.savedUsd - (missRow.cost_usd ?? 0)) < 1e-12 && saving.savedUsd > 0);

    // Streams: cached as the client saw them and replayed.
    const collect = async () => {
      const { data, response } = await client.chat.completions.create({ ...CHAT, stream: true }).withResponse();
      const chunks = [];
      for await (const chunk of data) chunks.push(chunk);
      return { chunks, cache: response.headers.get('x-flowtune-cache'), id: response.headers.get('x-flowtune-call-id') };
    };
    const first = await collect();
    const second = await collect();
    assert.deepEqual([first.cache, second.cache], ['miss', 'hit']);
    assert.deepEqual(second.chunks, first.chunks);
    const streamHit = await waitForCall(rig.db, second.id);
    assert.deepEqual([streamHit.stream, streamHit.cache_hit, streamHit.output_tokens, streamHit.output_text], [1, 1, 5, `${FAKE_REPLY}: Summarise the news`]);

    // Errors are never cached.
    const failing = { ...CHAT, model: 'fail-model' };
    await assert.rejects(client.chat.completions.create(failing));
    rig.fake.setFault({ kind: 'none' });
    const before = rig.fake.requests.length;
    await assert.rejects(client.chat.completions.create(failing));
    assert.equal(rig.fake.requests.length, before + 1);

    // Another worker without the opt-in is not served from the cache.
    const other = await rig.viaProxy({ worker: 'fresh' }).chat.completions.create(CHAT).withResponse();
    assert.equal(other.response.headers.get('x-flowtune-cache'), 'miss');
  });

  it('cache entries expire after their TTL', async () => {
    await api(rig, 'PUT', '/v1/overrides/w', { set: { cache: { enabled: true, ttl_seconds: 1 } }, set_by: 'test', reason: 'ttl' });
    const client = rig.viaProxy({ worker: 'w' });
    await client.chat.completions.create(CHAT);
    rig.db.prepare('UPDATE proxy_cache SET expires_at = ?').run(Date.now() - 1);
    const again = await client.chat.completions.create(CHAT).withResponse();
    assert.equal(again.response.headers.get('x-flowtune-cache'), 'miss');
  });

  it('model route, max_tokens, temperature and a prompt variant apply live and undo in one call each', async () => {
    const variant = await api(rig, 'PUT', '/v1/prompt-variants/concise-v2', { system_prompt: 'Answer in five words.', worker: 'writer', created_by: 'optimizer' });
    assert.equal(variant.status, 200);
    const set = await api(rig, 'PUT', '/v1/overrides/writer', {
      set: { model: 'gpt-4.1-nano', max_tokens: 3, temperature: 0.1, prompt_variant: 'concise-v2' },
      set_by: 'optimizer',
      reason: 'cheaper model, same quality in replay',
    });
    assert.equal(set.status, 200);
    const client = rig.viaProxy({ worker: 'writer' });
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES, max_tokens: 500 }).withResponse();
    assert.deepEqual(lastUpstreamBody(rig.fake), {
      model: 'gpt-4.1-nano',
      messages: [{ role: 'system', content: 'Answer in five words.' }, MESSAGES[1]],
      max_tokens: 3,
      temperature: 0.1,
    });
    assert.equal(data.choices[0].finish_reason, 'length');
    assert.equal(response.headers.get('x-flowtune-variant'), 'concise-v2');
    const row = await waitForCall(rig.db, response.headers.get('x-flowtune-call-id'));
    assert.deepEqual([row.request_model, row.max_tokens, row.temperature, row.variant, row.prompt_version, row.finish_reason], [
      'gpt-4.1-nano', 3, 0.1, 'concise-v2', 'variant:concise-v2', 'length',
    ]);

    const got = await api(rig, 'GET', '/v1/overrides/writer');
    const override = got.json.override as { set_by: string; reason: string; set_at: number };
    assert.equal(override.set_by, 'optimizer');
    assert.equal(override.reason, 'cheaper model, same quality in replay');
    assert.ok(override.set_at > 0);

    // One call undoes it; requests go through unchanged again.
    const undone = await api(rig, 'DELETE', '/v1/overrides/writer?set_by=alice&reason=regression');
    assert.deepEqual([undone.status, undone.json.override], [200, null]);
    await client.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES, max_tokens: 500 });
    assert.deepEqual(lastUpstreamBody(rig.fake), { model: 'gpt-4o', messages: MESSAGES, max_tokens: 500 });
    assert.equal((await api(rig, 'DELETE', '/v1/overrides/writer')).status, 404);
    const history = (await api(rig, 'GET', '/v1/overrides/writer/history')).json.history as Array<{ action: string; set_by: string; reason: string }>;
    assert.deepEqual(history.map((entry) => [entry.action, entry.set_by, entry.reason]), [
      ['revert', 'alice', 'regression'],
      ['set', 'optimizer', 'cheaper model, same quality in replay'],
    ]);
  });

  it('refuses invalid overrides and unknown prompt variants with 400 in the OpenAI error shape', async () => {
    const bad = await api(rig, 'PUT', '/v1/overrides/w', { set: { temperature: 7 }, set_by: 'x', reason: 'y' });
    assert.equal(bad.status, 400);
    assert.match(String((bad.json.error as { message: string }).message), /temperature/);
    const missingWho = await api(rig, 'PUT', '/v1/overrides/w', { set: { temperature: 0 } });
    assert.equal(missingWho.status, 400);
    const unknownVariant = await api(rig, 'PUT', '/v1/overrides/w', { set: { prompt_variant: 'ghost' }, set_by: 'x', reason: 'y' });
    assert.equal(unknownVariant.status, 400);
    const oneArm = await api(rig, 'PUT', '/v1/overrides/w', { set: { split: { arms: [{ name: 'a', weight: 1 }] } }, set_by: 'x', reason: 'y' });
    assert.equal(oneArm.status, 400);
    assert.equal((await api(rig, 'GET', '/v1/overrides')).json.overrides instanceof Array, true);
    assert.deepEqual((await api(rig, 'GET', '/v1/overrides')).json.overrides, []);
  });

  it('traffic split: deterministic by run id, assignment in the header and the call row', async () => {
    await api(rig, 'PUT', '/v1/prompt-variants/b-prompt', { system_prompt: 'Variant B prompt.' });
    await api(rig, 'PUT', '/v1/overrides/ranker', {
      set: { split: { salt: 'exp-7', arms: [{ name: 'control', weight: 1 }, { name: 'treatment', weight: 1, prompt_variant: 'b-prompt' }] } },
      set_by: 'experiment-7',
      reason: 'live test of prompt B',
    });
    const assignments = new Map<string, string>();
    for (let run = 0; run < 12; run++) {
      for (let repeat = 0; repeat < 2; repeat++) {
        const { response } = await rig.viaProxy({ worker: 'ranker', run: `run-${run}` }).chat.completions.create(CHAT).withResponse();
        const arm = response.headers.get('x-flowtune-variant') as string;
        const system = (lastUpstreamBody(rig.fake).messages as Array<{ content: string }>)[0].content;
        assert.equal(system, arm === 'treatment' ? 'Variant B prompt.' : 'You are helpful.');
        if (repeat === 1) assert.equal(arm, assignments.get(`run-${run}`), 'same run, same arm');
        assignments.set(`run-${run}`, arm);
      }
    }
    const arms = new Set(assignments.values());
    assert.deepEqual([...arms].sort(), ['control', 'treatment']);
    const rows = allCalls(rig.db).filter((row) => row.worker === 'ranker');
    assert.equal(rows.length, 24);
    for (const row of rows) assert.equal(row.variant, assignments.get(row.run_id as string));
  });

  it('overrides and prompt variants survive a daemon restart', async () => {
    const fake = await startFakeOpenAI();
    const dataDir = path.join(makeTempDir(), '.flowtune');
    let first: ProxyRig | null = await startProxyRig({ dataDir, fake });
    try {
      await api(first, 'PUT', '/v1/prompt-variants/p1', { system_prompt: 'Persisted prompt.' });
      await api(first, 'PUT', '/v1/overrides/persist', { set: { model: 'gpt-4.1-mini', prompt_variant: 'p1' }, set_by: 'test', reason: 'restart' });
      await first.stop();
      first = null;
      const second = await startProxyRig({ dataDir, fake });
      try {
        await second.viaProxy({ worker: 'persist' }).chat.completions.create(CHAT);
        const sent = lastUpstreamBody(fake);
        assert.equal(sent.model, 'gpt-4.1-mini');
        assert.equal((sent.messages as Array<{ content: string }>)[0].content, 'Persisted prompt.');
        const undone = await api(second, 'DELETE', '/v1/overrides/persist');
        assert.equal(undone.status, 200);
      } finally {
        await second.stop();
      }
    } finally {
      if (first) await first.stop();
      await fake.close();
    }
  });

  it('per-worker upstream from the override wins over the daemon default', async () => {
    const other = await startFakeOpenAI();
    try {
      await api(rig, 'PUT', '/v1/overrides/elsewhere', { set: { upstream: other.baseURL }, set_by: 'test', reason: 'second provider' });
      await rig.viaProxy({ worker: 'elsewhere' }).chat.completions.create(CHAT);
      assert.equal(other.requests.length, 1);
      assert.equal(rig.fake.requests.length, 0);
    } finally {
      await other.close();
    }
  });
});
