// The extension's pure helpers (no vscode): the cycle summary, the report document, the terminal
// variables and the shell lines Copy Run Environment puts on the clipboard.
import assert from 'node:assert/strict';
import { optimizeSummary, reportMarkdown } from '../../../extension/daemonHttp';
import { exportLines, terminalVariables } from '../../../extension/terminalEnvironment';

describe('extension helpers', () => {
  it('summarises an optimization cycle in one line, naming what was applied', () => {
    const line = optimizeSummary({
      analysed: { workers: 3, calls: 1200, proposals: 4 },
      tested: [{ title: 'a', verdict: 'ship' }, { title: 'b', verdict: 'reject' }],
      applied: [{ title: 'outline → gpt-4o-mini' }],
      left_for_review: [{ title: 'c' }],
      testing: [],
      spent_usd: 0.0123,
    });
    assert.equal(line, 'Optimization cycle done: analysed 3 workers (1200 calls), tested 2, applied 1, 1 left for review, spent $0.0123. Applied: outline → gpt-4o-mini.');
    assert.equal(optimizeSummary({}), 'Optimization cycle done: analysed 0 workers (0 calls), tested 0, applied 0, 0 left for review.');
  });

  it('renders the evolution report as markdown', () => {
    const figures = { avg_generation_time: 2.5, quality_score: 0.8, cost_per_content: 0.004, success_rate: 0.97 };
    const text = reportMarkdown({
      system_evolution: {
        initial_performance: figures,
        current_performance: { ...figures, avg_generation_time: 1.25 },
        improvements_applied: [{ type: 'model', impact: '−80% cost', learned_from: '200 paired replays' }],
        autonomous_decisions: 2,
        human_interventions: 1,
        learning_cycles: 5,
        cost_savings: '$1.20',
      },
    });
    assert.match(text, /\| avg generation time \(s\) \| 2\.50 \| 1\.25 \|/);
    assert.match(text, /- \*\*model\*\* — −80% cost \(learned from: 200 paired replays\)/);
    assert.match(text, /human interventions: 1/);
  });

  it('wires terminals to the daemon with the token in the base URL path and the OTLP header', () => {
    const variables = terminalVariables({ pid: 1, port: 4319, token: 'tok_abcdefghijklmnop' });
    assert.equal(variables.OPENAI_BASE_URL, 'http://127.0.0.1:4319/t/tok_abcdefghijklmnop/openai/v1');
    assert.equal(variables.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:4319');
    assert.equal(variables.OTEL_EXPORTER_OTLP_HEADERS, 'x-flowtune-token=tok_abcdefghijklmnop');
    assert.equal(exportLines({ A: "it's" }), `export A='it'\\''s'`);
  });
});
