// `flowtune detect` as a user runs it: the built CLI in a child process, a CSV in, a scored CSV
// out (file or stdout), and a malformed row stopping it with the line named on stderr.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI_PATH, makeTempDir } from '../../support/daemonHarness';

const run = promisify(execFile);

describe('integration/daemon/detect command', function () {
  this.timeout(30000);

  it('scores a CSV to a file and to stdout, with the same scores', async () => {
    const dir = makeTempDir('flowtune-detect-cli-');
    const input = join(dir, 'series.csv');
    const lines = ['timestamp,value'];
    for (let i = 0; i < 2000; i += 1) lines.push(`2024-01-01 ${String(Math.floor(i / 60) % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00,${(5 + Math.sin(i * 7.1) * 0.3 + (i === 1500 ? 9 : 0)).toFixed(3)}`);
    writeFileSync(input, `${lines.join('\n')}\n`);
    const output = join(dir, 'scored.csv');
    const file = await run(process.execPath, [CLI_PATH, 'detect', '--input', input, '--output', output]);
    assert.match(file.stderr, /scored 2000 rows/);
    assert.equal(file.stdout, '');
    const stdout = await run(process.execPath, [CLI_PATH, 'detect', '--input', input], { maxBuffer: 1 << 24 });
    assert.equal(stdout.stdout, readFileSync(output, 'utf8'));
    const rows = stdout.stdout.trim().split('\n');
    assert.equal(rows[0], 'timestamp,value,anomaly_score');
    assert.equal(rows.length, 2001);
    assert.ok(Number(rows[1501].split(',')[2]) >= 0.5, rows[1501]);
  });

  it('exits 1 naming the malformed line', async () => {
    const dir = makeTempDir('flowtune-detect-cli-');
    const input = join(dir, 'bad.csv');
    writeFileSync(input, 'timestamp,value\n1396310400,1\n1396310460,2\n1396310520,twelve\n');
    await assert.rejects(run(process.execPath, [CLI_PATH, 'detect', '--input', input, '--output', join(dir, 'out.csv')]), (e: { code?: number; stderr?: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr ?? '', /flowtune detect: line 4: value "twelve" is not a number/);
      return true;
    });
  });
});
