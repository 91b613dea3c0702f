#!/usr/bin/env node
// The `flowtune` command: the bundled CLI built by esbuild.mjs (`npm ci` builds it through `prepare`).
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'daemon', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write(`flowtune: the CLI is not built yet (${cli} is missing); run \`npm run build\` in ${path.join(__dirname, '..')}\n`);
  process.exit(1);
}
require(cli);
