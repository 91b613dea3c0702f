// GET /v1/dashboard over real HTTP on a real store, and the extension's dashboard controller
// (vscode-free) talking to that daemon: schema, figures, empty tables, Apply/Dismiss forwarding,
// invalid messages and the one-refresh-per-second rule.
import assert from 'node:assert/strict';
import { DashboardController } from '../../../extension/dashboard/dashboardController';
import { dashboardSchema, type Dashboard } from '../../../shared/http/dashboard';
import type { HostToWebviewMessage } from '../../../shared/webviewMessages';
import type { CallRecord } from '../../../daemon/store/records';
import { HOUR_MS } from '../../../daemon/store/rollupKey';
import { startTestDaemon, type TestDaemon } from '../../support/daemonHarness';

function call(id: string, worker: string, startedAt: number, overrides: Partial<CallRecord> = {}): CallRecord {
  return { id, source: 'native', operation: 'chat', worker, requestModel: 'gpt-4o-mini', startedAt, latencyMs: 100, inputTokens: 10, outputTokens: 5, costUsd: 0.01, status: 'ok', ...overrides };
}

describe('GET /v1/dashboard', function () {
  this.timeout(30_000);
  let daemon: TestDaemon;
  beforeEach(async () => {
    daemon = await startTestDaemon();
  });
  afterEach(async () => {
    await daemon.stop();
  });

  const get = async (query = ''): Promise<Dashboard> => {
    const response = await daemon.request(`/v1/dashboard${query}`);
    assert.equal(response.status, 200);
    return dashboardSchema.parse(await response.json());
  };

  it('answers a valid, empty dashboard on an empty store', async () => {
    const data = await get();
    assert.equal(data.window.hours, 24);
    assert.deepEqual(data.series, []);
    assert.deepEqual(data.workers, []);
    assert.deepEqual(data.recommendations, []);
    assert.equal(data.overview.calls.current, 0);
    assert.equal(data.overview.calls.baseline, null);
    assert.equal(data.report.available, false);
    assert.equal(data.learningCurve.points.length, 0);
  });

  it('compares the window with the one before and aggregates per worker and hour', async () => {
    const now = Date.now();
    const calls: CallRecord[] = [];
    for (let i = 0; i < 10; i++) calls.push(call(`now-${i}`, 'outline', now - 2 * HOUR_MS + i * 1000, { latencyMs: 100 + i, status: i === 0 ? 'error' : 'ok' }));
    for (let i = 0; i < 4; i++) calls.push(call(`before-${i}`, 'outline', now - 30 * HOUR_MS + i * 1000, { costUsd: 0.02 }));
    calls.push(call('critic-1', 'critic', now - 3 * HOUR_MS));
    daemon.daemon.ctx.writer.write({ runs: [], steps: [], calls, scores: [{ callId: 'now-1', name: 'quality', value: 0.8, source: 'app', createdAt: now }] });
    daemon.daemon.ctx.db
      .prepare(`INSERT INTO anomalies (id, kind, severity, state, series, metric, worker, began_at, last_seen_at, title, evidence) VALUES ('a1', 'point_spike', 'error', 'open', 's', 'latency_ms', 'outline', ?, ?, 'outline <b>slow</b>', '{}')`)
      .run(now - HOUR_MS, now);
    daemon.daemon.ctx.db
      .prepare(
        `INSERT INTO recommendations (id, optimizer, worker, title, state, change, evidence, expected_gain, confidence, created_at, updated_at)
         VALUES ('r1', 'max_tokens', 'outline', 'Cap outline', 'open', '{"kind":"max_tokens","from":1024,"to":256}', 'not json', '{"metric":"cost","relative":-0.2,"description":"−20%"}', 0.9, ?, ?)`,
      )
      .run(now, now);
    daemon.daemon.ctx.db.prepare(`INSERT INTO experiments (id, kind, worker, state, control, treatment, result, started_at) VALUES ('e1', 'replay', 'outline', 'running', '{}', '{}', ?, ?)`).run(
      JSON.stringify({ decision: 'continue', confidence: 0.5, samples: 12, metrics: [{ metric: 'cost', role: 'primary', relative: -0.1, ci: [-0.3, 0.1], p: 0.3 }] }),
      now,
    );
    const data = await get();
    assert.equal(data.overview.calls.current, 11);
    assert.equal(data.overview.calls.baseline, 4);
    assert.equal(data.overview.costUsd.current, 0.11);
    assert.equal(data.overview.costUsd.baseline, 0.08);
    assert.equal(data.overview.errorRate.current, Math.round((1 / 11) * 1e5) / 1e5);
    assert.equal(data.overview.quality.current, 0.8);
    assert.deepEqual(data.series.map((s) => s.worker), ['critic', 'outline']);
    const outline = data.series[1];
    for (const column of [outline.calls, outline.latencyP50Ms, outline.latencyP95Ms, outline.costUsd, outline.quality, outline.errorRate]) assert.equal(column.length, outline.at.length);
    assert.equal(outline.calls.reduce((a, b) => a + b, 0), 10);
    assert.equal(outline.markers[0]?.kind, 'anomaly');
    const row = data.workers.find((w) => w.worker === 'outline');
    assert.equal(row?.calls, 10);
    assert.equal(row?.openAnomalies, 1);
    assert.deepEqual(row?.models, ['gpt-4o-mini']);
    assert.equal(data.anomalies[0].title, 'outline <b>slow</b>');
    assert.deepEqual(data.recommendations[0].change, { kind: 'max_tokens', from: '1024', to: '256' });
    assert.equal(data.recommendations[0].canApply, true);
    assert.deepEqual(data.experiments[0].effects[0], { metric: 'cost', role: 'primary', control: null, treatment: null, relative: -0.1, ciLow: -0.3, ciHigh: 0.1, p: 0.3 });
    // New calls in the current hour show up on the next request (the cell cache reloads that hour).
    daemon.daemon.ctx.writer.write({ runs: [], steps: [], calls: [call('late-1', 'outline', now - 2 * HOUR_MS + 50_000)], scores: [] });
    assert.equal((await get()).overview.calls.current, 12);
  });

  it('offers Apply and Dismiss on exactly the states the accept and dismiss routes take', async () => {
    const states = ['open', 'testing', 'applied', 'accepted', 'dismissed', 'rejected', 'rolled_back'];
    const now = Date.now();
    for (const state of states) {
      daemon.daemon.ctx.db
        .prepare(
          `INSERT INTO recommendations (id, optimizer, worker, title, state, change, evidence, expected_gain, confidence, created_at, updated_at)
           VALUES (?, 'max_tokens', 'critic', ?, ?, '{"kind":"max_tokens","to":256}', '{}', '{"metric":"cost","relative":-0.1,"description":""}', 0.9, ?, ?)`,
        )
        .run(`offer-${state}`, `offer ${state}`, state, now, now);
    }
    const offered = new Map((await get()).recommendations.map((r) => [r.id, r]));
    for (const state of states) {
      const rec = offered.get(`offer-${state}`);
      assert.ok(rec, state);
      assert.equal(rec.canApply, ['open', 'testing', 'rejected', 'dismissed', 'rolled_back'].includes(state), `Apply on ${state}`);
      assert.equal(rec.canDismiss, ['open', 'testing'].includes(state), `Dismiss on ${state}`);
    }
  });

  it('refuses a window it does not offer', async () => {
    const response = await daemon.request('/v1/dashboard?window_hours=0');
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { error: { message: string } }).error.message, /window_hours/);
  });

  describe('the extension dashboard controller against this daemon', () => {
    function controller(posted: HostToWebviewMessage[], minIntervalMs = 1000) {
      return new DashboardController({
        daemon: () => ({ info: { pid: process.pid, port: daemon.daemon.ctx.port, token: daemon.token } }),
        post: (m) => posted.push(m),
        openFullDashboard: () => posted.push({ type: 'error', message: 'open-full' }),
        minIntervalMs,
      });
    }

    it('answers ready with the dashboard, drops invalid messages, and reports a failed Apply', async () => {
      const posted: HostToWebviewMessage[] = [];
      const c = controller(posted);
      await c.receive({ type: 'ready', windowHours: 168 });
      assert.deepEqual(posted.map((m) => m.type), ['loading', 'dashboard']);
      assert.equal(posted[1].type === 'dashboard' && posted[1].data.window.hours, 168);
      await c.receive({ type: 'applyRecommendation', id: '' });
      await c.receive({ type: 'nope' });
      assert.equal(posted.length, 2, 'invalid messages are dropped');
      await c.receive({ type: 'applyRecommendation', id: 'missing' });
      const result = posted.find((m) => m.type === 'recommendationResult');
      assert.deepEqual(result && { ...result, message: result.type === 'recommendationResult' && /no recommendation/.test(result.message) }, {
        type: 'recommendationResult',
        id: 'missing',
        action: 'apply',
        ok: false,
        state: null,
        message: true,
      });
      await c.receive({ type: 'openFullDashboard' });
      assert.deepEqual(posted.at(-1), { type: 'error', message: 'open-full' });
      c.dispose();
    });

    it('coalesces a burst of live-update triggers into at most one refresh per interval', async () => {
      const posted: HostToWebviewMessage[] = [];
      const c = controller(posted, 300);
      await c.receive({ type: 'ready' });
      const before = posted.filter((m) => m.type === 'dashboard').length;
      for (let i = 0; i < 50; i++) c.requestRefresh();
      await new Promise((resolve) => setTimeout(resolve, 700));
      const after = posted.filter((m) => m.type === 'dashboard').length;
      assert.equal(after - before, 1, 'fifty triggers, one refresh');
      c.dispose();
    });
  });
});
