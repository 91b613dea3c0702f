// One esbuild context per target. Targets are added here as the product grows (extension, webview-ui).
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {esbuild.BuildOptions[]} */
const targets = [
  {
    // The dashboard webview: a browser bundle (Preact + uPlot) with its CSS and the codicon font,
    // loaded by the extension's webviews from dist/webview only (their localResourceRoots).
    entryPoints: { dashboard: 'webview-ui/src/main.tsx' },
    outdir: 'dist/webview',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['chrome114'],
    minify: production,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: 'webview-ui/tsconfig.json',
    loader: { '.ttf': 'file' },
    assetNames: '[name]',
    logLevel: 'warning',
  },
  {
    // The daemon and the `flowtune` CLI: one Node bundle; native and optional modules stay external.
    // Worker threads are their own entries, next to cli.js (daemon/threads/workerScript.ts finds them there).
    entryPoints: {
      cli: 'daemon/cli.ts',
      traceMappingWorker: 'daemon/ingest/traceMappingWorker.ts',
      walCheckpointWorker: 'daemon/store/walCheckpointWorker.ts',
    },
    outdir: 'dist/daemon',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    // Whitespace only (names stay readable in stack traces). Why: V8 keeps the whole
    // script source in the heap of every thread that loads it, and comments with a single non-ASCII
    // character made the 6 MB bundle a 12.6 MB two-byte string.
    minifyWhitespace: true,
    // Licence comments of bundled packages go to cli.js.LEGAL.txt (one of them is not ASCII either).
    legalComments: 'linked',
    external: ['better-sqlite3', 'better-sqlite3-napi'],
    loader: { '.json': 'json' },
    logLevel: 'warning',
  },
  {
    // The VS Code extension: vscode is provided by the editor; everything else is bundled.
    entryPoints: { extension: 'extension/extension.ts' },
    outdir: 'dist/extension',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    minify: production,
    external: ['vscode'],
    logLevel: 'warning',
  },
  {
    // Build-time tool: writes dist/schemas/flowtune.config.schema.json (contributed via jsonValidation) from the zod schema.
    entryPoints: { writeConfigSchema: 'extension/schemas/writeConfigSchema.ts' },
    outdir: 'dist/tools',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  },
  {
    // The editor test suite, loaded by the real extension host (extensionTestsPath).
    entryPoints: ['test/e2e/suite/index.ts', 'test/e2e/suite/flowtune.test.ts', 'test/e2e/suite/dashboard.test.ts'],
    outdir: 'dist/test/e2e',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  },
];

const writeConfigSchema = () => execFileSync(process.execPath, ['dist/tools/writeConfigSchema.js', 'dist/schemas'], { stdio: 'inherit' });

const contexts = await Promise.all(targets.map((options) => esbuild.context(options)));
if (watch) {
  await Promise.all(contexts.map((ctx) => ctx.rebuild()));
  writeConfigSchema();
  await Promise.all(contexts.map((ctx) => ctx.watch()));
} else {
  await Promise.all(contexts.map((ctx) => ctx.rebuild()));
  await Promise.all(contexts.map((ctx) => ctx.dispose()));
  writeConfigSchema();
}
