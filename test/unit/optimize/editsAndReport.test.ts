import assert from 'node:assert/strict';
import { codeEdit, configEdit, locateEdit, workerEntryRange } from '../../../daemon/optimize/editLocator';
import { decisionsMarkdown } from '../../../daemon/optimize/decisionLog';
import { escapeHtml, lineChart } from '../../../daemon/optimize/report/htmlReport';
import { performanceOf } from '../../../daemon/optimize/report/runPoints';

const CONFIG = `{
  "workers": [
    { "name": "research", "model": "gpt-4o" },
    {
      "name": "outline",
      "model": "gpt-4o",
      "max_tokens": 4000,
      "evaluators": [{ "type": "is-json" }]
    }
  ]
}
`;

describe('suggested edits', () => {
  it('finds a worker entry and replaces the value of a key in place', () => {
    const range = workerEntryRange(CONFIG, 'outline');
    assert.ok(range);
    const edit = configEdit(CONFIG, 'flowtune.config.json', 'outline', 'max_tokens', 96);
    assert.deepEqual(edit, { file: 'flowtune.config.json', range: { start: { line: 6, character: 20 }, end: { line: 6, character: 24 } }, newText: '96' });
    const lines = CONFIG.split('\n');
    assert.equal(lines[6].slice(20, 24), '4000');
  });
  it('replaces a string value (a model) and inserts a missing key after the brace', () => {
    const model = configEdit(CONFIG, 'c.json', 'research', 'model', 'gpt-4o-mini');
    assert.ok(model);
    assert.equal(model.newText, '"gpt-4o-mini"');
    assert.equal(CONFIG.split('\n')[2].slice(model.range.start.character, model.range.end.character), '"gpt-4o"');
    const inserted = configEdit(CONFIG, 'c.json', 'research', 'cache', { enabled: true });
    assert.ok(inserted);
    assert.deepEqual(inserted.range.start, inserted.range.end);
    assert.match(inserted.newText, /"cache": \{"enabled":true\},$/);
    assert.equal(configEdit(CONFIG, 'c.json', 'missing', 'model', 'x'), null);
  });
  it('puts code notes at the call site when calls carry source_file/line', () => {
    assert.deepEqual(codeEdit({ file: 'src/pipeline.ts', line: 42 }, 'one\ntwo'), { file: 'src/pipeline.ts', range: { start: { line: 41, character: 0 }, end: { line: 41, character: 0 } }, newText: '// one\n// two\n' });
    assert.equal(locateEdit({ kind: 'code', comment: 'x' }, 'outline', { file: 'a.py', line: 3 }, { text: CONFIG, file: 'c.json' })?.file, 'a.py');
    assert.equal(locateEdit({ kind: 'config', key: 'model', value: 'm' }, 'outline', null, { text: CONFIG, file: 'c.json' })?.file, 'c.json');
    assert.equal(locateEdit(undefined, 'outline', null, null), null);
  });
});

describe('report rendering', () => {
  it('escapes HTML in every text and charts data as inline SVG', () => {
    assert.equal(escapeHtml(`<script>"x" & 'y'</script>`), '&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;');
    const svg = lineChart('<b>cost</b>', [{ label: '<i>runs</i>', color: '#000', points: [{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: null }] }]);
    assert.match(svg, /<svg /);
    assert.match(svg, /&lt;b&gt;cost&lt;\/b&gt;/);
    assert.doesNotMatch(svg, /<b>|<i>/);
    assert.match(svg, /points="[\d., ]+"/);
    assert.match(lineChart('empty', []), /no data yet/);
  });
  it('performance of runs: seconds, mean cost, quality over scored runs, success share', () => {
    const perf = performanceOf([
      { runId: 'a', startedAt: 0, durationMs: 1000, costUsd: 0.01, calls: 3, quality: 1, success: true },
      { runId: 'b', startedAt: 1, durationMs: 3000, costUsd: 0.03, calls: 3, quality: null, success: false },
    ]);
    assert.deepEqual(perf, { avg_generation_time: 2, quality_score: 1, cost_per_content: 0.02, success_rate: 0.5 });
    assert.deepEqual(performanceOf([]), { avg_generation_time: 0, quality_score: 0, cost_per_content: 0, success_rate: 0 });
  });
  it('the decision log markdown escapes markdown and HTML control characters', () => {
    const md = decisionsMarkdown([{ id: 1, at: 0, actor: 'human', action: 'dismiss', recommendationId: 'rec_1', experimentId: null, worker: '<w>', summary: 'no *thanks* | pipe', evidence: { a: 1 } }]);
    assert.match(md, /1 decisions \(0 autonomous, 1 human\)/);
    assert.match(md, /\\<w\\>/);
    assert.match(md, /no \\\*thanks\\\* \\\| pipe/);
    assert.match(md, /```json\n\{\n {2}"a": 1\n\}\n```/);
  });
});
