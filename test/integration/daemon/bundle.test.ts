// The daemon bundle as `npm run build` leaves it (npm test builds first). V8 keeps a script's whole
// source in the heap of every thread that loads it, one byte per character only when the source is
// pure ASCII: a single non-ASCII character (a comment's ’, a regex's “) doubles it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const BUNDLE_DIR = path.join(__dirname, '..', '..', '..', 'dist', 'daemon');

describe('daemon bundle', () => {
  const scripts = fs.readdirSync(BUNDLE_DIR).filter((name) => name.endsWith('.js'));

  it('has the CLI and both worker threads', () => {
    assert.deepEqual(scripts.sort(), ['cli.js', 'traceMappingWorker.js', 'walCheckpointWorker.js']);
  });

  it('is ASCII only, so V8 stores each script one byte per character', () => {
    for (const name of scripts) {
      const bytes = fs.readFileSync(path.join(BUNDLE_DIR, name));
      const at = bytes.findIndex((byte) => byte > 0x7f);
      assert.equal(at, -1, `${name} has a non-ASCII byte at ${at}: ${bytes.subarray(Math.max(0, at - 40), at + 10).toString('utf8')}`);
    }
  });

  it('keeps the licence comments of bundled packages beside the CLI', () => {
    const legal = fs.readFileSync(path.join(BUNDLE_DIR, 'cli.js.LEGAL.txt'), 'utf8');
    assert.match(legal, /MIT License/);
  });
});
