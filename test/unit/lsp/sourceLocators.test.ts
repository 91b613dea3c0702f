// The text scanners behind the language features: call sites in TS/JS/Python, worker entries in the
// config, and the edits derived from a recommendation.
import assert from 'node:assert/strict';
import { findCallSites } from '../../../daemon/lsp/callSites';
import { findWorkerEntries } from '../../../daemon/lsp/configEntries';
import { editsForRecommendation } from '../../../daemon/lsp/recommendationEdits';
import type { WorkspaceSnapshot } from '../../../daemon/lsp/workspaceIndex';
import type { Recommendation } from '../../../shared/domain';

const TS = `const a = await client.chat.completions.create(
  { model: "gpt-4o", messages: [{ role: 'user', content: \`(\${x})\` }] }, // a ) in a comment
  { headers: { 'x-flowtune-worker': 'outline' } },
);
const b = await openai.responses.create({ model: 'gpt-4.1', input: 'x', max_output_tokens: 300 });
`;

const PY = `resp = client.chat.completions.create(
    model="gpt-4o-mini",  # a ( in a comment
    messages=[{"role": "user", "content": "hi)"}],
    extra_headers={"x-flowtune-worker": "keywords"},
)
`;

function recommendation(change: Recommendation['change'], worker = 'outline'): Recommendation {
  return {
    id: 'r1', optimizer: 't', worker, title: 't', state: 'open', change, evidence: {}, confidence: 0.9, edit: null, experimentId: null,
    expectedGain: { metric: 'cost', relative: -0.5, description: '' }, createdAt: 0, updatedAt: 0,
  };
}

describe('lsp source locators', () => {
  it('finds TS call sites with their model, worker and max_tokens literals, across lines, strings and comments', () => {
    const sites = findCallSites(TS, 'typescript');
    assert.equal(sites.length, 2);
    assert.equal(sites[0].callee, 'chat.completions.create');
    assert.deepEqual(sites[0].calleeRange, { start: { line: 0, character: 23 }, end: { line: 0, character: 46 } });
    assert.equal(sites[0].range.end.line, 3, 'the call ends at its own closing parenthesis');
    assert.equal(sites[0].model?.value, 'gpt-4o');
    assert.deepEqual(sites[0].model?.range, { start: { line: 1, character: 12 }, end: { line: 1, character: 18 } });
    assert.equal(sites[0].worker?.value, 'outline');
    assert.equal(sites[0].maxTokens, null);
    assert.equal(sites[1].callee, 'responses.create');
    assert.equal(sites[1].model?.value, 'gpt-4.1');
    assert.equal(sites[1].maxTokens?.value, '300');
    assert.equal(sites[1].worker, null);
  });

  it('finds Python call sites with keyword arguments and extra_headers', () => {
    const [site] = findCallSites(PY, 'python');
    assert.equal(site.model?.value, 'gpt-4o-mini');
    assert.equal(site.worker?.value, 'keywords');
    assert.equal(site.range.end.line, 4);
  });

  it('reads only a worker entry’s own keys (a judge’s nested model is not the worker’s)', () => {
    const text = `{"workers": [
      {"name": "outline", "evaluators": [{"type": "llm-rubric", "value": "ok", "model": "judge-model"}], "depends_on": ["a", "b"]},
      {"name": "b", "model": "gpt-4o", "max_tokens": 900, "prompt_file": "p.txt"}
    ], "budgets": {"name": "not-a-worker"}}`;
    const entries = findWorkerEntries(text);
    assert.deepEqual(entries.map((e) => e.name), ['outline', 'b']);
    assert.equal(entries[0].model, null);
    assert.deepEqual(entries[0].dependsOn?.values, ['a', 'b']);
    assert.equal(entries[1].model?.value, 'gpt-4o');
    assert.equal(entries[1].maxTokens?.value, '900');
    assert.equal(entries[1].promptFile?.value, 'p.txt');
    assert.equal(entries[1].nameRange.start.line, 2);
  });

  it('derives edits: max_tokens inserted after the model literal, cache and parallel steps in the config', () => {
    const configText = `{"workers": [{"name": "outline", "model": "gpt-4o"}, {"name": "c", "depends_on": ["a", "b"]}]}`;
    const workspace: WorkspaceSnapshot = {
      roots: ['/w'],
      config: { uri: 'file:///w/flowtune.config.json', file: '/w/flowtune.config.json', text: configText, entries: findWorkerEntries(configText) },
      callSites: findCallSites(TS, 'typescript').map((site) => ({ uri: 'file:///w/a.ts', file: '/w/a.ts', site, worker: site.worker?.value ?? null })),
      promptFiles: new Map(),
      strayAttributions: [],
    };
    const tokens = editsForRecommendation(recommendation({ kind: 'max_tokens', to: 256 }), workspace, () => null);
    assert.deepEqual(tokens?.['file:///w/a.ts'], [{ range: { start: { line: 1, character: 19 }, end: { line: 1, character: 19 } }, newText: ', max_tokens: 256' }]);
    assert.equal(tokens?.['file:///w/flowtune.config.json'][0].newText, ', "max_tokens": 256');
    const cache = editsForRecommendation(recommendation({ kind: 'cache', to: { enabled: true, ttl_seconds: 600 } }), workspace, () => null);
    assert.equal(cache?.['file:///w/flowtune.config.json'][0].newText, ', "cache": { "enabled": true, "ttl_seconds": 600 }');
    const parallel = editsForRecommendation(recommendation({ kind: 'parallelize', to: ['a', 'c'] }, 'c'), workspace, () => null);
    assert.equal(parallel?.['file:///w/flowtune.config.json'][0].newText, '["b"]');
    assert.equal(editsForRecommendation(recommendation({ kind: 'retry', to: 2 }), workspace, () => null), null, 'no edit for a proxy-only change');
  });
});
