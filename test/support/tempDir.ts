// Temporary directories for tests and benchmarks. Every one is removed when the process exits (the
// test run ends with process.exit), so runs leave nothing behind: a data dir holds a store of tens of
// megabytes, and thousands of runs filled /tmp with gigabytes before this.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const created: string[] = [];
let removeOnExit = false;

export interface TempDirOptions {
  /** Leave the directory in place (a profile or report a person reads after the run). */
  keep?: boolean;
}

export function makeTempDir(prefix = 'flowtune-test-', options: TempDirOptions = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (options.keep) return dir;
  created.push(dir);
  if (!removeOnExit) {
    removeOnExit = true;
    // 'exit' handlers must be synchronous; daemons started by the tests are stopped or killed by then,
    // and an open file does not stop its directory from being removed on Linux.
    process.once('exit', removeTempDirs);
  }
  return dir;
}

/** Removes every directory made so far (also called at exit). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // a directory that cannot be removed must not fail the run
    }
  }
}
