// Test runs leave no data dirs behind: makeTempDir's directories go when the process exits (also by
// process.exit, which mocha's --exit uses), except those asked to stay.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const TEMP_DIR_MODULE = path.resolve(__dirname, '../../support/tempDir.ts');

describe('test support: temporary directories', () => {
  it('removes every directory at exit, with its files, and keeps the ones asked to stay', () => {
    const script = `
      const fs = require('node:fs');
      const { makeTempDir } = require(${JSON.stringify(TEMP_DIR_MODULE)});
      const gone = makeTempDir('flowtune-tempdir-test-');
      fs.mkdirSync(gone + '/.flowtune/nested', { recursive: true });
      fs.writeFileSync(gone + '/.flowtune/nested/flowtune.db', 'x'.repeat(4096));
      const kept = makeTempDir('flowtune-tempdir-test-', { keep: true });
      process.stdout.write(JSON.stringify({ gone, kept }));
      process.exit(3);
    `;
    let out = '';
    try {
      execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { encoding: 'utf8' });
    } catch (error) {
      const failed = error as { status: number; stdout: string };
      assert.equal(failed.status, 3);
      out = failed.stdout;
    }
    const { gone, kept } = JSON.parse(out) as { gone: string; kept: string };
    try {
      assert.equal(fs.existsSync(gone), false, `${gone} was left behind`);
      assert.equal(fs.existsSync(kept), true, 'the kept directory is still there');
    } finally {
      fs.rmSync(kept, { recursive: true, force: true });
    }
  });
});
