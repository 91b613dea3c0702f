// Mocha's spec reporter plus the plain closing line CI reads: "mocha: N passed, N failed, N skipped"
// (another layer running mocha names itself with FLOWTUNE_SUMMARY_LAYER, e.g. clients-latest).
const Mocha = require('mocha');
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      const layer = process.env.FLOWTUNE_SUMMARY_LAYER || 'mocha';
      process.stdout.write(`\n${layer}: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`);
    });
  }
}
module.exports = SummaryReporter;
