// One mocha run for unit and integration tests; the summary reporter prints "N passed, N failed".
module.exports = {
  spec: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
  'node-option': ['import=tsx'],
  reporter: './test/support/summaryReporter.cjs',
  timeout: 30000,
  exit: true,
};
