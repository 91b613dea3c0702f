// The demo end to end, small and without simulated latency: simulated provider, daemon, proxy,
// generations with feedback, cycles that apply changes, the report file and the optimum comparison.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runDemo } from '../../../daemon/cli/demoCommand';
import { makeTempDir } from '../../support/daemonHarness';

describe('flowtune demo (small)', function () {
  this.timeout(60_000);
  it('runs generations and cycles, applies changes, and ends with the report and its HTML file', async () => {
    const lines: string[] = [];
    const dir = makeTempDir('flowtune-demo-test-');
    const result = await runDemo({ generations: 3, runs: 32, concurrency: 8, keep: false, latencyScale: 0.05, dataDir: dir, out: (l) => lines.push(l), bar: { update: () => undefined, done: () => undefined } });
    const text = lines.join('\n');
    assert.equal(result.exitCode, 0);
    assert.match(text, /SIMULATED/);
    assert.match(text, /Evolution \(initial → current\)/);
    assert.match(text, /known optimum/);
    assert.match(text, /applied /);
    assert.equal(result.generations.length, 3);
    assert.ok(result.generations[2].costPerRun < result.generations[0].costPerRun, JSON.stringify(result.generations.map((g) => g.costPerRun)));
    assert.ok(result.optimum.costPerRun > 0 && result.optimum.costPerRun < result.generations[0].costPerRun);
    assert.ok(fs.existsSync(result.reportFile));
    assert.match(fs.readFileSync(result.reportFile, 'utf8'), /<svg /);
    assert.ok(fs.existsSync(path.join(dir, 'flowtune.config.json')));
  });
});
