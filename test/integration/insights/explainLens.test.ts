// "Explain this worker" in the editor, through the language server's real door: a lens above each
// worker's call site and config entry, and a hover link, both carrying flowtune.explainWorker with
// the worker's name; the command's document renders the daemon's answer as escaped markdown.
import assert from 'node:assert/strict';
import { CodeLensRequest, HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { insightsMarkdown } from '../../../extension/insightsMarkdown';
import { workerPerformanceAnalysisSchema } from '../../../shared/http/insights';
import { EXPLAIN_WORKER_COMMAND } from '../../../shared/protocol';
import { startLspHarness, type LspHarness } from '../lsp/lspTestClient';

describe('AI insights in the editor: "Explain this worker"', function () {
  this.timeout(30_000);
  let lsp: LspHarness;

  before(async () => {
    lsp = await startLspHarness();
    const now = Date.now();
    const calls = Array.from({ length: 12 }, (_, i) => ({ id: `outline-${i}`, model: 'gpt-4o', worker: 'outline', started_at: now - 60_000 + i, latency_ms: 800 + i * 10, cost_usd: 0.002, usage: { input_tokens: 100, output_tokens: 50 } }));
    const response = await lsp.daemon.request('/v1/ingest', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ calls }) });
    assert.equal(response.status, 200);
  });
  after(async () => {
    await lsp.close();
  });

  it('puts an "Explain this worker" lens on every call site and config entry, with the worker as argument', async () => {
    for (const [file, workers] of [
      ['src/pipeline.ts', ['outline', 'research']],
      ['flowtune.config.json', ['research', 'outline', 'summary', 'keywords']],
    ] as const) {
      const lenses = (await lsp.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: lsp.uri(file) } })) ?? [];
      const explain = lenses.filter((lens) => lens.command?.command === EXPLAIN_WORKER_COMMAND);
      assert.ok(explain.every((lens) => lens.command?.title === 'Explain this worker'));
      const named = new Set(explain.map((lens) => (lens.command?.arguments ?? [])[0] as string));
      for (const worker of workers) assert.ok(named.has(worker), `${file}: ${worker} in ${[...named].join(',')}`);
      // Each lens sits on the same line as that worker's measurements lens.
      for (const lens of explain) {
        const worker = (lens.command?.arguments ?? [])[0] as string;
        assert.ok(lenses.some((other) => other.range.start.line === lens.range.start.line && (other.command?.title ?? '').startsWith(`Flowtune · ${worker}`)));
      }
    }
  });

  it('ends the hover with a command link that explains the worker under the cursor', async () => {
    const uri = lsp.uri('flowtune.config.json');
    const lenses = (await lsp.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
    const outline = lenses.find((lens) => lens.command?.command === EXPLAIN_WORKER_COMMAND && (lens.command.arguments ?? [])[0] === 'outline');
    assert.ok(outline);
    const hover = await lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: outline.range.start.line, character: 12 } });
    const markdown = (hover?.contents as MarkupContent).value;
    assert.match(markdown, /\[Explain this worker\]\(command:flowtune\.explainWorker\?%5B%22outline%22%5D\)$/);
  });

  it('renders what the endpoint answers (here the rules, no model configured) as a document with the evidence', async () => {
    const response = await lsp.daemon.request('/v1/analyze/worker-performance', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"worker_name":"outline"}' });
    assert.equal(response.status, 200);
    const analysis = workerPerformanceAnalysisSchema.parse(await response.json());
    assert.equal(analysis.source, 'rules');
    const markdown = insightsMarkdown(analysis);
    assert.match(markdown, /^# Flowtune · explain outline/);
    assert.match(markdown, /the rule-based optimizers/);
    assert.match(markdown, /\| calls \(runs\) \| 12 \(0\) \|/);
    assert.match(markdown, /\| cost per call \/ per run \(\$\) \| 0\.002 \/ – \|/);
    assert.match(markdown, /No analysis model is configured/);
  });
});
