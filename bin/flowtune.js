#!/usr/bin/env node
// The `flowtune` command: the bundled CLI built by esbuild.mjs.
require('../dist/daemon/cli.js');
