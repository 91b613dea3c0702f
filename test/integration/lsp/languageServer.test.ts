// The language server over its real door: a daemon on loopback, an HTTP Upgrade on /v1/lsp, JSON-RPC
// with vscode-languageserver-protocol. Anomalies and recommendations are written to the store the way
// the detector and the optimizer write them; calls arrive through the native ingest API.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  CodeActionRequest,
  CodeLensRequest,
  DiagnosticSeverity,
  ExitNotification,
  HoverRequest,
  ShutdownRequest,
  type CodeAction,
  type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { connectLspSocket, LspUpgradeError } from '../../../shared/lspSocket';
import {
  acceptRecommendationRequest,
  ACCEPT_RECOMMENDATION_COMMAND,
  dismissRecommendationRequest,
  setSecretsRequest,
  workspaceStatusRequest,
} from '../../../shared/protocol';
import { daemonEvents } from '../../../daemon/events';
import { getSecret } from '../../../daemon/secrets';
import { applyEdits, insertAnomaly, insertRecommendation, startLspHarness, type LspHarness } from './lspTestClient';

function lineOf(file: string, needle: string): number {
  const index = fs.readFileSync(file, 'utf8').split('\n').findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `${needle} in ${file}`);
  return index;
}

describe('language server over /v1/lsp', function () {
  this.timeout(30_000);
  let lsp: LspHarness;

  beforeEach(async () => {
    lsp = await startLspHarness();
  });
  afterEach(async () => {
    await lsp.close();
  });

  it('refuses upgrades without the token, on another path, or from a web page', async () => {
    const port = lsp.daemon.daemon.ctx.port;
    await assert.rejects(connectLspSocket({ port, token: 'wrong-token-wrong-token' }), (error: LspUpgradeError) => error.status === 401);
    const raw = (request: string) =>
      new Promise<string>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
      });
    const origin = await raw(
      `GET /v1/lsp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: flowtune-lsp\r\nConnection: Upgrade\r\nOrigin: https://evil.example\r\nx-flowtune-token: ${lsp.daemon.token}\r\n\r\n`,
    );
    assert.match(origin, /^HTTP\/1\.1 403/);
    const rebinding = await raw(`GET /v1/lsp HTTP/1.1\r\nHost: evil.example:${port}\r\nUpgrade: flowtune-lsp\r\nConnection: Upgrade\r\nx-flowtune-token: ${lsp.daemon.token}\r\n\r\n`);
    assert.match(rebinding, /^HTTP\/1\.1 403/);
    const otherPath = await raw(`GET /v1/other HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: flowtune-lsp\r\nConnection: Upgrade\r\nx-flowtune-token: ${lsp.daemon.token}\r\n\r\n`);
    assert.match(otherPath, /^HTTP\/1\.1 404/);
  });

  it('puts an anomaly at its cause: the call site, the config entry and the prompt file', async () => {
    insertAnomaly(lsp.daemon, { id: 'a-outline', worker: 'outline', severity: 'error', title: 'outline p95 latency 3.0× its baseline', cause: 'model gpt-4o' });
    daemonEvents(lsp.daemon.daemon.ctx).emit('anomaliesChanged', { anomalyIds: ['a-outline'] });
    const source = lsp.uri('src/pipeline.ts');
    await lsp.waitFor(() => ['src/pipeline.ts', 'flowtune.config.json', 'prompts/outline.txt'].every((file) => (lsp.diagnostics.get(lsp.uri(file)) ?? []).length > 0));
    const diagnostics = (lsp.diagnostics.get(source) ?? []).filter((d) => d.code === 'point_spike');
    assert.equal(diagnostics.length, 1);
    const callLine = lineOf(path.join(lsp.root, 'src/pipeline.ts'), "'x-flowtune-worker': 'outline'") - 5;
    assert.equal(diagnostics[0].range.start.line, callLine, 'underlines the outline call, not the research one');
    assert.equal(diagnostics[0].severity, DiagnosticSeverity.Error);
    assert.match(diagnostics[0].message, /3\.0× its baseline — likely cause: model gpt-4o/);
    const config = lsp.diagnostics.get(lsp.uri('flowtune.config.json')) ?? [];
    assert.equal(config.length, 1);
    assert.equal(config[0].range.start.line, lineOf(path.join(lsp.root, 'flowtune.config.json'), '"name": "outline"'));
    const prompt = lsp.diagnostics.get(lsp.uri('prompts/outline.txt')) ?? [];
    assert.equal(prompt.length, 1);
    assert.equal(prompt[0].range.start.line, 0);
    // research has no anomaly: nothing on its call
    assert.ok(diagnostics.every((d) => d.range.start.line !== lineOf(path.join(lsp.root, 'src/pipeline.ts'), "'x-flowtune-worker': 'research'") - 3));

    // resolving it clears every place, and the status follows
    lsp.daemon.daemon.ctx.db.prepare(`UPDATE anomalies SET state = 'resolved', resolved_at = ? WHERE id = 'a-outline'`).run(Date.now());
    daemonEvents(lsp.daemon.daemon.ctx).emit('anomaliesChanged', { anomalyIds: ['a-outline'] });
    await lsp.waitFor(() => (lsp.diagnostics.get(source) ?? []).length === 0 && (lsp.diagnostics.get(lsp.uri('flowtune.config.json')) ?? []).length === 0);
    const status = await lsp.connection.sendRequest(workspaceStatusRequest);
    assert.equal(status.anomalies.length, 0);
    assert.equal(status.worstSeverity, null);
  });

  it('finds an untagged call through the source line recorded on its spans', async () => {
    const summaryFile = path.join(lsp.root, 'src/summary.js');
    const line = lineOf(summaryFile, 'responses.create') + 1;
    const ingest = await lsp.daemon.request('/v1/ingest', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        calls: [{ model: 'gpt-4o', worker: 'summary', started_at: Date.now() - 1000, latency_ms: 900, source: { file: 'src/summary.js', line } }],
      }),
    });
    assert.equal(ingest.status, 200);
    insertAnomaly(lsp.daemon, { id: 'a-summary', worker: 'summary', severity: 'warning', title: 'summary cost per call 2.1× its baseline', kind: 'sustained_shift' });
    const diagnostics = await lsp.waitFor(() => lsp.diagnostics.get(lsp.uri('src/summary.js'))?.filter((d) => d.code === 'sustained_shift'));
    assert.equal(diagnostics[0].range.start.line, line - 1);
    assert.equal(diagnostics[0].severity, DiagnosticSeverity.Warning);
  });

  it('shows measurements in lenses and the evidence in hovers', async () => {
    const now = Date.now();
    const calls = Array.from({ length: 20 }, (_, i) => ({
      id: `outline-${i}`,
      model: 'gpt-4o',
      worker: 'outline',
      started_at: now - 60_000 + i,
      latency_ms: 1000 + i * 50,
      cost_usd: 0.002,
      usage: { input_tokens: 100, output_tokens: 50 },
    }));
    await lsp.daemon.request('/v1/ingest', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ calls }) });
    await lsp.daemon.request('/v1/ingest', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scores: calls.map((call) => ({ call_id: call.id, name: 'quality', value: 0.8 })) }),
    });
    insertAnomaly(lsp.daemon, { id: 'a-hover', worker: 'outline', severity: 'warning', title: 'outline p95 latency 3.0× its baseline' });
    insertRecommendation(lsp.daemon, { id: 'r-model', worker: 'outline', title: 'Switch outline to gpt-4o-mini', change: { kind: 'model', from: 'gpt-4o', to: 'gpt-4o-mini' } });
    daemonEvents(lsp.daemon.daemon.ctx).emit('recommendationsChanged', {});
    const uri = lsp.uri('src/pipeline.ts');
    await lsp.waitFor(() => lsp.diagnostics.get(uri)?.some((d) => d.code === 'recommendation:model'));
    const lenses = (await lsp.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
    const outlineLine = lineOf(path.join(lsp.root, 'src/pipeline.ts'), "'x-flowtune-worker': 'outline'") - 5;
    const outlineLenses = lenses.filter((lens) => lens.range.start.line === outlineLine).map((lens) => lens.command?.title ?? '');
    assert.equal(outlineLenses.length, 3);
    assert.match(outlineLenses[0], /^Flowtune · outline: p95 [\d.]+ s · \$0\.0020\/call · quality 0\.80 · 20 calls$/);
    assert.equal(outlineLenses[1], '1 open recommendation');
    assert.equal(outlineLenses[2], 'Explain this worker');
    const researchLens = lenses.find((lens) => lens.range.start.line === lineOf(path.join(lsp.root, 'src/pipeline.ts'), "'x-flowtune-worker': 'research'") - 2);
    assert.equal(researchLens?.command?.title, 'Flowtune · research: no calls recorded in 7 days');

    const hover = await lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: outlineLine + 2, character: 8 } });
    const markdown = (hover?.contents as MarkupContent).value;
    assert.match(markdown, /outline p95 latency 3\.0× its baseline/);
    assert.match(markdown, /baseline 800 → now 2400/);
    assert.match(markdown, /p95\\_ms: `2400`/);
    assert.match(markdown, /Switch outline to gpt-4o-mini/);
    assert.match(markdown, /confidence 95%/);
  });

  it('offers quick fixes that edit code and config, and records a human acceptance', async () => {
    insertRecommendation(lsp.daemon, { id: 'r-model', worker: 'outline', title: 'Switch outline to gpt-4o-mini', change: { kind: 'model', from: 'gpt-4o', to: 'gpt-4o-mini' } });
    insertRecommendation(lsp.daemon, { id: 'r-tokens', worker: 'keywords', title: 'Cap keywords at 128 tokens', change: { kind: 'max_tokens', from: 512, to: 128 } });
    const uri = lsp.uri('src/pipeline.ts');
    const diagnostics = await lsp.waitFor(() => lsp.diagnostics.get(uri)?.filter((d) => d.code === 'recommendation:model'));
    const actions = (await lsp.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: diagnostics[0].range,
      context: { diagnostics },
    })) as CodeAction[];
    assert.deepEqual(actions.map((action) => action.title), ['Apply: Switch outline to gpt-4o-mini', 'Dismiss: Switch outline to gpt-4o-mini']);
    const apply = actions[0];
    assert.equal(apply.command?.command, ACCEPT_RECOMMENDATION_COMMAND);
    assert.deepEqual(apply.command?.arguments, ['r-model']);
    const changes = apply.edit?.changes ?? {};
    const pipelineFile = path.join(lsp.root, 'src/pipeline.ts');
    const edited = applyEdits(fs.readFileSync(pipelineFile, 'utf8'), changes[uri]);
    assert.match(edited, /model: 'gpt-4o-mini',\n\s+messages: \[\{ role: 'user', content: `Outline/);
    assert.match(edited, /model: 'gpt-4o-mini', messages: \[\{ role: 'user', content: `Facts/, 'research untouched');
    const configUri = lsp.uri('flowtune.config.json');
    const config = JSON.parse(applyEdits(fs.readFileSync(path.join(lsp.root, 'flowtune.config.json'), 'utf8'), changes[configUri])) as {
      workers: Array<{ name: string; model: string; evaluators?: Array<{ model?: string }> }>;
    };
    assert.equal(config.workers.find((w) => w.name === 'outline')?.model, 'gpt-4o-mini');
    assert.equal(config.workers.find((w) => w.name === 'outline')?.evaluators?.[0].model, 'gpt-4o', 'the judge model is not the worker model');

    // max_tokens in Python: the existing literal is replaced
    const pyUri = lsp.uri('src/keywords.py');
    const pyActions = (await lsp.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: pyUri },
      range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } },
      context: { diagnostics: [] },
    })) as CodeAction[];
    const pyEdited = applyEdits(fs.readFileSync(path.join(lsp.root, 'src/keywords.py'), 'utf8'), pyActions[0].edit?.changes?.[pyUri] ?? []);
    assert.match(pyEdited, /max_tokens=128,/);

    const accepted = await lsp.connection.sendRequest(acceptRecommendationRequest, { id: 'r-model' });
    assert.equal(accepted.ok, true, accepted.message);
    assert.ok(accepted.state && ['accepted', 'applied'].includes(accepted.state), `state ${accepted.state}`);
    const decision = lsp.daemon.daemon.ctx.db.prepare(`SELECT actor, worker FROM decisions WHERE recommendation_id = 'r-model'`).get();
    assert.deepEqual(decision, { actor: 'human', worker: 'outline' });
    await lsp.waitFor(() => !(lsp.diagnostics.get(uri) ?? []).some((d) => d.code === 'recommendation:model'));
    const again = await lsp.connection.sendRequest(acceptRecommendationRequest, { id: 'r-model' });
    assert.equal(again.ok, false, 'a second acceptance is refused');

    const dismissed = await lsp.connection.sendRequest(dismissRecommendationRequest, { id: 'r-tokens' });
    assert.equal(dismissed.state, 'dismissed');
    const status = await lsp.connection.sendRequest(workspaceStatusRequest);
    assert.equal(status.openRecommendations, 0);
  });

  it('pushes the status when anomalies open, worst severity first, with a location', async () => {
    insertAnomaly(lsp.daemon, { id: 'a1', worker: 'research', severity: 'warning', title: 'research error rate 12%' });
    insertAnomaly(lsp.daemon, { id: 'a2', worker: 'outline', severity: 'error', title: 'outline p95 latency 3.0× its baseline' });
    const status = await lsp.waitFor(() => lsp.statuses.find((s) => s.anomalies.length === 2));
    assert.equal(status.worstSeverity, 'error');
    assert.deepEqual(status.anomalies.map((a) => a.id), ['a2', 'a1']);
    assert.equal(status.anomalies[0].location?.uri, lsp.uri('src/pipeline.ts'));
  });

  it('keeps secrets in memory only and survives an editor exit', async () => {
    const result = await lsp.connection.sendRequest(setSecretsRequest, { judgeApiKey: 'sk-judge-secret-value-123456' });
    assert.deepEqual(result.held, ['judgeApiKey']);
    assert.equal(getSecret(lsp.daemon.daemon.ctx, 'judgeApiKey'), 'sk-judge-secret-value-123456');
    const log = fs.readFileSync(path.join(lsp.daemon.dataDir, 'daemon.log'), 'utf8');
    assert.ok(!log.includes('sk-judge-secret-value-123456'));
    await lsp.connection.sendRequest(setSecretsRequest, { judgeApiKey: null });
    assert.equal(getSecret(lsp.daemon.daemon.ctx, 'judgeApiKey'), undefined);

    await lsp.connection.sendRequest(ShutdownRequest.type);
    await lsp.connection.sendNotification(ExitNotification.type);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const health = await lsp.daemon.request('/v1/health');
    assert.equal(health.status, 200, 'an editor leaving does not stop the daemon');
  });

  it('closes editor connections when the daemon stops', async () => {
    const socket = await connectLspSocket({ port: lsp.daemon.daemon.ctx.port, token: lsp.daemon.token });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.resume();
    await lsp.daemon.stop();
    await closed;
    lsp.daemon.stop = async () => {};
  });
});
