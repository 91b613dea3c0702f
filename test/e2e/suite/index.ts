// Mocha entry point loaded by the real extension host (the `extensionTestsPath` of the payload).
// Prints `editor: N passed, N failed, N skipped`, the line .ci/run reports.
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 90_000 });
  mocha.addFile(path.resolve(__dirname, 'flowtune.test.js'));
  mocha.addFile(path.resolve(__dirname, 'dashboard.test.js'));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats;
      console.log(`editor: ${stats?.passes ?? 0} passed, ${stats?.failures ?? failures} failed, ${stats?.pending ?? 0} skipped`);
      if (failures > 0) reject(new Error(`${failures} editor tests failed`));
      else resolve();
    });
  });
}
