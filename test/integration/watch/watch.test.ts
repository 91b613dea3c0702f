// The watch layer end to end on a real daemon: anomalies open on injected incidents, carry evidence
// and a cause, stay quiet on normal traffic, resolve when the series recovers, and are announced on
// the event stream; failures are clustered and attributed; load is forecast.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Anomaly, WorkerMetrics } from '../../../shared/domain';
import { makeTempDir, startTestDaemon, type TestDaemon } from '../../support/daemonHarness';

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('watch: anomalies, failures, load', function () {
  this.timeout(30_000);
  let daemon: TestDaemon;
  let clock: number;
  let seq = 0;
  const random = seededRandom(7);

  beforeEach(async () => {
    const root = makeTempDir();
    fs.writeFileSync(path.join(root, 'flowtune.config.json'), JSON.stringify({ watch: { interval_seconds: 0 } }));
    daemon = await startTestDaemon({ dataDir: path.join(root, '.flowtune') });
    clock = Date.now() - 3 * 3_600_000;
  });
  afterEach(async () => {
    await daemon.stop();
  });

  type CallShape = { worker?: string; model?: string; latencyMs?: number; status?: 'ok' | 'error'; error?: string; httpStatus?: number; inputTokens?: number };
  async function send(count: number, shape: (i: number) => CallShape) {
    const calls = Array.from({ length: count }, (_, i) => {
      const s = shape(i);
      clock += 5_000;
      return {
        id: `c${seq++}`,
        worker: s.worker ?? 'outline',
        model: s.model ?? 'gpt-4o-mini',
        started_at: clock,
        latency_ms: s.latencyMs ?? 300 * Math.exp(0.2 * (random() + random() + random() - 1.5)),
        status: s.status ?? 'ok',
        ...(s.error ? { error: { type: 'server_error', message: s.error } } : {}),
        usage: { input_tokens: s.inputTokens ?? 800 + Math.round(random() * 50), output_tokens: 200 + Math.round(random() * 20) },
      };
    });
    const response = await daemon.request('/v1/ingest', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ calls }) });
    assert.equal(response.status, 200, await response.text());
  }
  const tick = async () => (await (await daemon.request('/v1/anomalies/evaluate', { method: 'POST' })).json()) as { opened: number; resolved: number };
  const anomalies = async (state = 'open') => ((await (await daemon.request(`/v1/anomalies?state=${state}`)).json()) as { anomalies: Anomaly[] }).anomalies;

  it('stays quiet on normal traffic, opens one latency anomaly on an incident, and resolves it after recovery', async () => {
    await send(300, () => ({}));
    await tick();
    assert.deepEqual(await anomalies(), [], 'no alarm on normal traffic');

    const events: string[] = [];
    const controller = new AbortController();
    const stream = await daemon.request('/v1/events', { signal: controller.signal });
    const reader = stream.body!.getReader();
    const reading = (async () => {
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        events.push(decoder.decode(value));
      }
    })();

    // Prompts got much longer and latency jumped eightfold.
    await send(8, () => ({ latencyMs: 2400 + random() * 200, inputTokens: 4000 }));
    const first = await tick();
    const opened = await anomalies();
    // Longer prompts made calls both slower and costlier: one anomaly each, nothing else.
    assert.equal(first.opened, 2, JSON.stringify(opened.map((a) => a.title)));
    assert.deepEqual(opened.map((a) => a.metric).sort(), ['cost_usd', 'latency_ms']);
    const open = opened.find((a) => a.metric === 'latency_ms')!;
    assert.equal(open.worker, 'outline');
    assert.equal(open.model, 'gpt-4o-mini');
    assert.equal(open.metric, 'latency_ms');
    assert.ok(['point_spike', 'sustained_shift'].includes(open.kind));
    assert.ok(['warning', 'error'].includes(open.severity));
    assert.match(open.title, /^outline: latency .*× its baseline/);
    assert.ok(open.baseline !== null && open.baseline > 250 && open.baseline < 360);
    assert.ok(open.current !== null && open.current > 2000);
    assert.match(String(open.suspectedCause), /prompts got longer/);

    // Firing again does not duplicate it.
    await send(2, () => ({ latencyMs: 2500 }));
    await tick();
    assert.equal((await anomalies()).length, 2);

    // Recovery: the series returns to normal and the anomaly resolves itself (hysteresis: 3 clean ticks).
    await send(60, () => ({}));
    let resolved = 0;
    for (let i = 0; i < 4 && resolved < 2; i++) resolved += (await tick()).resolved;
    assert.equal(resolved, 2);
    assert.deepEqual(await anomalies(), []);
    const closed = (await anomalies('resolved')).find((a) => a.id === open.id);
    assert.ok(closed);
    assert.ok(closed.resolvedAt !== null);
    const detail = (await (await daemon.request(`/v1/anomalies/${encodeURIComponent(open.id)}`)).json()) as { transitions: Array<{ to: string }> };
    assert.deepEqual(detail.transitions.map((t) => t.to).filter((s, i, a) => a.indexOf(s) === i), ['open', 'resolved']);

    controller.abort();
    await reading;
    assert.ok(events.join('').includes('event: anomaliesChanged'), 'changes are announced on /v1/events');
  });

  it('detects an error-rate spike and attributes the failures to the model they concentrate on', async () => {
    await send(400, (i) => ({ model: i % 2 ? 'gpt-4o' : 'gpt-4o-mini' }));
    await send(80, (i) => {
      const model = i % 2 ? 'gpt-4o' : 'gpt-4o-mini';
      const failing = model === 'gpt-4o-mini' && i % 4 !== 0;
      return failing ? { model, status: 'error', error: `Upstream timeout after ${1000 + i} ms (request req_${i}abc)` } : { model };
    });
    await tick();
    const open = await anomalies();
    const spike = open.find((a) => a.kind === 'error_rate_spike');
    assert.ok(spike, JSON.stringify(open.map((a) => a.kind)));
    assert.equal(spike.model, 'gpt-4o-mini');
    assert.match(spike.title, /error rate/);
    assert.equal(open.filter((a) => a.kind === 'error_rate_spike' && a.model === 'gpt-4o').length, 0);

    const failures = (await (await daemon.request(`/v1/failures?since=${clock - 86_400_000}&until=${clock + 1}`)).json()) as {
      failed: number;
      templates: Array<{ template: string; count: number }>;
      attributions: Array<{ dimension: string; value: string; lift: number; sentence: string }>;
      summary: string;
    };
    assert.equal(failures.failed, 20);
    assert.equal(failures.templates.length, 1, 'ids and numbers are masked into one template');
    assert.equal(failures.templates[0].count, 20);
    assert.match(failures.templates[0].template, /Upstream timeout after/);
    assert.doesNotMatch(failures.templates[0].template, /req_\d/);
    const byModel = failures.attributions.find((a) => a.dimension === 'model');
    assert.equal(byModel?.value, 'gpt-4o-mini');
    assert.ok(byModel.lift > 1.5);
    assert.match(failures.summary, /of failures come from (model gpt-4o-mini|hour)/);
  });

  it('serves worker metrics with exact quantiles and trends, and a load forecast', async () => {
    await send(200, () => ({}));
    const body = (await (await daemon.request(`/v1/workers?since=${clock - 3_600_000 * 2}&until=${clock + 1}`)).json()) as { workers: WorkerMetrics[] };
    const outline = body.workers.find((w) => w.worker === 'outline');
    assert.ok(outline);
    assert.equal(outline.calls, 200);
    assert.equal(outline.quantileMethod, 'exact');
    assert.ok(outline.latencyP50Ms !== null && outline.latencyP95Ms !== null && outline.latencyP50Ms < outline.latencyP95Ms);
    assert.ok('slopePerHour' in outline.trends.latencyMs);
    const load = (await (await daemon.request('/v1/load')).json()) as { method: string; recommendedConcurrency: number; explanation: string; history: unknown[] };
    assert.ok(load.history.length > 0);
    assert.ok(load.recommendedConcurrency >= 1);
    assert.match(load.explanation, /concurrent requests/);
  });
});
