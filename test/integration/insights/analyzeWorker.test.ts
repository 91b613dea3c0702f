// POST /v1/analyze/worker-performance over a real daemon, with the fake upstream as both the app's
// provider and the analysis model: valid structured output, invalid JSON, a schema mismatch, a refusal
// and a timeout each get a clear answer; only aggregates leave; nothing half-written is stored; the
// analysis call is recorded like any other; without a model the rule-based optimizers answer.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import OpenAI from 'openai';
import { workerPerformanceAnalysisSchema, type WorkerPerformanceAnalysis } from '../../../shared/http/insights';
import { makeTempDir, startTestDaemon, type TestDaemon } from '../../support/daemonHarness';
import { startFakeOpenAI, type ChatReply, type FakeOpenAI } from '../../support/fakeOpenAI';
import { isAnalysisRequest, VALID_INSIGHTS } from './insightsFixtures';

const SECRET_SYSTEM = 'You summarise text for ZEBRA-SYSTEM-7731.';
const SECRET_USER = 'OKAPI-USER-TEXT';

interface ErrorBody {
  error: { message: string; type: string; code: string | null };
}

describe('AI insights: POST /v1/analyze/worker-performance with an analysis model', function () {
  this.timeout(30_000);
  let fake: FakeOpenAI;
  let daemon: TestDaemon;
  let reply: ChatReply | null = null;

  before(async () => {
    fake = await startFakeOpenAI();
    fake.setChatResponder((body) => (isAnalysisRequest(body) && reply ? reply : undefined));
    const workspace = makeTempDir('flowtune-insights-');
    const config = {
      workers: [{ name: 'summarize', model: 'gpt-4o', evaluators: [{ type: 'icontains', value: 'hello' }] }],
      insights: { model: 'gpt-4o-mini', base_url: fake.baseURL, timeout_ms: 400 },
    };
    fs.writeFileSync(path.join(workspace, 'flowtune.config.json'), JSON.stringify(config));
    daemon = await startTestDaemon({ dataDir: path.join(workspace, '.flowtune'), upstream: fake.baseURL });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${daemon.url}/openai/v1`, maxRetries: 0, defaultHeaders: { 'x-flowtune-token': daemon.token, 'x-flowtune-worker': 'summarize' } });
    for (let i = 0; i < 12; i++) {
      await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'system', content: SECRET_SYSTEM }, { role: 'user', content: `${SECRET_USER} ${i}` }] });
    }
  });
  after(async () => {
    await daemon.stop();
    await fake.close();
  });

  async function analyze(body: unknown): Promise<Response> {
    return daemon.request('/v1/analyze/worker-performance', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }
  const stored = () => ({
    analyses: (daemon.daemon.ctx.db.prepare('SELECT COUNT(*) AS n FROM insight_analyses').get() as { n: number }).n,
    hypotheses: (daemon.daemon.ctx.db.prepare('SELECT COUNT(*) AS n FROM insight_hypotheses').get() as { n: number }).n,
  });
  const insightCalls = () =>
    daemon.daemon.ctx.db.prepare(`SELECT status, error_type, cost_usd, request_model, source FROM calls WHERE worker = 'flowtune-insights' ORDER BY started_at`).all() as Array<{
      status: string;
      error_type: string | null;
      cost_usd: number | null;
      request_model: string;
      source: string;
    }>;

  async function expectError(status: number, type: RegExp): Promise<ErrorBody> {
    const response = await analyze({ worker_name: 'summarize' });
    const text = await response.text();
    assert.equal(response.status, status, text);
    const body = JSON.parse(text) as ErrorBody;
    assert.match(body.error.type, type);
    assert.equal(typeof body.error.message, 'string');
    assert.ok('code' in body.error);
    return body;
  }

  it('answers an invalid-JSON output with 502 and stores no analysis', async () => {
    reply = { content: '{"summary": "cut off", "recommendations": [' };
    const body = await expectError(502, /^insights_invalid_output$/);
    assert.match(body.error.message, /not valid JSON/);
    assert.deepEqual(stored(), { analyses: 0, hypotheses: 0 });
  });

  it('answers JSON that breaks the schema with 502 naming the field', async () => {
    reply = { content: JSON.stringify({ summary: 'x', recommendations: [{ ...VALID_INSIGHTS.recommendations[0], confidence: 7 }] }) };
    const body = await expectError(502, /^insights_invalid_output$/);
    assert.match(body.error.message, /recommendations\.0\.confidence/);
    assert.deepEqual(stored(), { analyses: 0, hypotheses: 0 });
  });

  it('answers a refusal with 422 and the refusal text', async () => {
    reply = { refusal: 'I cannot help with that request.', content: null };
    const body = await expectError(422, /^insights_refusal$/);
    assert.match(body.error.message, /cannot help with that/);
    assert.deepEqual(stored(), { analyses: 0, hypotheses: 0 });
  });

  it('answers a model that never responds with 504 within its timeout', async () => {
    reply = null;
    fake.setFault({ kind: 'hang' }, 2);
    const started = Date.now();
    const body = await expectError(504, /^insights_timeout$/);
    assert.match(body.error.message, /400 ms/);
    assert.ok(Date.now() - started < 10_000);
    assert.deepEqual(stored(), { analyses: 0, hypotheses: 0 });
    fake.setFault({ kind: 'none' });
  });

  it('answers valid structured output with recommendations, the measured evidence behind each, and stored hypotheses', async () => {
    reply = { content: JSON.stringify(VALID_INSIGHTS), usage: { prompt_tokens: 900, completion_tokens: 300, total_tokens: 1200 } };
    const mark = fake.requests.length;
    const response = await analyze({ worker_name: 'summarize' });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    const analysis: WorkerPerformanceAnalysis = workerPerformanceAnalysisSchema.parse(JSON.parse(text));
    assert.equal(analysis.source, 'model');
    assert.equal(analysis.model, 'gpt-4o-mini');
    assert.equal(analysis.statistics.calls, 12);
    assert.equal(analysis.statistics.primary_model, 'gpt-4o');
    // The model's three come first; rule-based ones follow only on what the model did not change.
    assert.deepEqual(analysis.recommendations.slice(0, 3).map((r) => r.category), ['cost', 'speed', 'quality']);
    const modelTargets = new Set(analysis.recommendations.slice(0, 3).map((r) => r.parameter));
    for (const extra of analysis.recommendations.slice(3)) {
      assert.doesNotMatch(extra.id, /^rec-/);
      assert.ok(extra.parameter === 'other' || !modelTargets.has(extra.parameter), `${extra.title} duplicates a model recommendation`);
    }
    const [cost, speed, quality] = analysis.recommendations;
    // The evidence is the daemon's own figures, not the model's "99 dollars".
    assert.equal(cost.evidence.cost_per_call_usd, analysis.statistics.cost.per_call_usd);
    assert.ok((cost.evidence.cost_per_call_usd as number) > 0 && (cost.evidence.cost_per_call_usd as number) < 0.01);
    assert.equal(speed.evidence.latency_p95_ms, analysis.statistics.latency_ms.p95);
    assert.equal(quality.evidence.success_rate, 1);
    assert.equal(cost.hypothesis.state, 'pending');
    assert.equal(speed.hypothesis.state, 'pending');
    assert.equal(quality.hypothesis.state, 'not_testable');
    assert.equal(cost.confidence, 0.8);
    assert.equal(cost.expected_improvement.relative_change, -0.9);

    // Aggregates only: the request the analysis model received carries no prompt or output text.
    const sent = fake.requests.slice(mark).filter((r) => isAnalysisRequest(JSON.parse(r.body) as Record<string, unknown>));
    assert.equal(sent.length, 1);
    assert.doesNotMatch(sent[0].body, /ZEBRA|OKAPI|Hello from the fake/);
    assert.match(sent[0].body, /"strict":true/);

    // Stored at once: the analysis and its two testable hypotheses.
    assert.deepEqual(stored(), { analyses: 1, hypotheses: 2 });
    const listed = (await (await daemon.request('/v1/analyze/hypotheses?worker=summarize')).json()) as { hypotheses: Array<{ state: string; change: { kind: string; to: unknown } }> };
    assert.deepEqual(listed.hypotheses.map((h) => [h.change.kind, h.change.to, h.state]).sort(), [
      ['max_tokens', 256, 'pending'],
      ['model', 'gpt-4o-mini', 'pending'],
    ]);
    // Nothing applied by itself.
    const override = (await (await daemon.request('/v1/overrides/summarize')).json()) as { override: unknown };
    assert.equal(override.override, null);

    // Its own calls are recorded like any other: five so far (invalid, mismatch, refusal, timeout, this one), priced.
    const calls = insightCalls();
    assert.equal(calls.length, 5);
    assert.deepEqual(calls.map((c) => c.status), ['ok', 'ok', 'ok', 'error', 'ok']);
    assert.equal(calls[3].error_type, 'insights_timeout');
    assert.equal(calls[4].request_model, 'gpt-4o-mini');
    assert.equal(calls[4].source, 'native');
    assert.ok((calls[4].cost_usd ?? 0) > 0);
    assert.equal(analysis.insights_call?.cost_usd, calls[4].cost_usd);
    assert.equal(analysis.insights_call?.input_tokens, 900);
  });

  it('supersedes the pending hypotheses of an earlier analysis', async () => {
    reply = { content: JSON.stringify({ summary: 'only one', recommendations: [VALID_INSIGHTS.recommendations[0]] }) };
    const response = await analyze({ worker_name: 'summarize' });
    assert.equal(response.status, 200);
    const listed = (await (await daemon.request('/v1/analyze/hypotheses?worker=summarize')).json()) as { hypotheses: Array<{ state: string }> };
    assert.deepEqual(listed.hypotheses.map((h) => h.state).sort(), ['pending', 'superseded', 'superseded']);
  });

  it('analyses figures given in the request, and refuses unknown workers without figures and invalid bodies', async () => {
    reply = { content: JSON.stringify({ summary: 'slow', recommendations: [] }) };
    const times = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);
    const response = await analyze({ worker_name: 'elsewhere', execution_times: times, success_rate: 0.9, avg_cost: 0.002, quality_scores: [0.5, 0.7] });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    const analysis = workerPerformanceAnalysisSchema.parse(JSON.parse(text));
    assert.deepEqual(analysis.statistics.latency_ms, { mean: 505, p50: 500, p95: 950, p99: 990, samples: 100 });
    assert.equal(analysis.statistics.success_rate, 0.9);
    assert.equal(analysis.statistics.cost.per_call_usd, 0.002);
    assert.equal(analysis.statistics.quality.mean, 0.6);
    assert.deepEqual(analysis.statistics.provided, ['execution_times', 'success_rate', 'avg_cost', 'quality_scores']);

    const unknown = await analyze({ worker_name: 'nobody' });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as ErrorBody).error.type, 'not_found');
    const invalid = await analyze({ worker_name: 'summarize', success_rate: 3 });
    assert.equal(invalid.status, 400);
    assert.match(((await invalid.json()) as ErrorBody).error.message, /success_rate/);
  });
});

describe('AI insights without an analysis model', function () {
  this.timeout(30_000);
  let fake: FakeOpenAI;
  let daemon: TestDaemon;

  before(async () => {
    fake = await startFakeOpenAI();
    const workspace = makeTempDir('flowtune-insights-rules-');
    fs.writeFileSync(path.join(workspace, 'flowtune.config.json'), JSON.stringify({ workers: [{ name: 'summarize', model: 'gpt-4o' }], optimize: { candidate_models: ['gpt-4o-mini'] } }));
    daemon = await startTestDaemon({ dataDir: path.join(workspace, '.flowtune'), upstream: fake.baseURL });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${daemon.url}/openai/v1`, maxRetries: 0, defaultHeaders: { 'x-flowtune-token': daemon.token, 'x-flowtune-worker': 'summarize' } });
    for (let i = 0; i < 35; i++) await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `text ${i}` }] });
  });
  after(async () => {
    await daemon.stop();
    await fake.close();
  });

  it('answers from the rule-based optimizers, says so, and calls no model', async () => {
    const mark = fake.requests.length;
    const response = await daemon.request('/v1/analyze/worker-performance', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"worker_name":"summarize"}' });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    const analysis = workerPerformanceAnalysisSchema.parse(JSON.parse(text));
    assert.equal(analysis.source, 'rules');
    assert.equal(analysis.model, null);
    assert.match(analysis.notes.join(' '), /No analysis model is configured/);
    const model = analysis.recommendations.find((r) => r.parameter === 'model');
    assert.ok(model, text);
    assert.equal(model.new_value, 'gpt-4o-mini');
    assert.equal(model.category, 'cost');
    assert.equal(model.evidence.calls, 35);
    assert.equal(model.evidence.cost_per_call_usd, analysis.statistics.cost.per_call_usd);
    assert.equal(fake.requests.length, mark);
    assert.equal((daemon.daemon.ctx.db.prepare('SELECT COUNT(*) AS n FROM insight_analyses').get() as { n: number }).n, 0);
  });

  it('answers the seed request (figures only, a worker it has never seen) with a recommendation per problem', async () => {
    const seed = { worker_name: 'topic_researcher', execution_times: [25000, 30000, 22000], success_rate: 0.94, avg_cost: 0.02, quality_scores: [0.85, 0.91, 0.78] };
    const response = await daemon.request('/v1/analyze/worker-performance', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(seed) });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    const analysis = workerPerformanceAnalysisSchema.parse(JSON.parse(text));
    assert.equal(analysis.source, 'rules');
    assert.deepEqual(analysis.statistics.provided, ['execution_times', 'success_rate', 'avg_cost', 'quality_scores']);
    const parameters = analysis.recommendations.map((r) => r.parameter);
    for (const expected of ['retries', 'timeout_ms', 'model', 'other']) assert.ok(parameters.includes(expected as never), `${expected} in ${parameters.join(', ')}`);
    for (const r of analysis.recommendations) assert.ok(r.confidence > 0 && r.confidence <= 1 && r.rationale.length > 20);
    assert.equal(analysis.recommendations.find((r) => r.parameter === 'retries')?.evidence.success_rate, 0.94);
    assert.match(analysis.summary, /^4 recommendations/);
    assert.match(analysis.notes.join(' '), /analysis model .* would add/);
  });
});
