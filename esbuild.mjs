// One esbuild context per target. Targets are added here as the product grows (extension, webview-ui).
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {esbuild.BuildOptions[]} */
const targets = [
  {
    // The daemon and the `flowtune` CLI: one Node bundle; native and optional modules stay external.
    entryPoints: { cli: 'daemon/cli.ts' },
    outdir: 'dist/daemon',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    minify: production,
    external: ['better-sqlite3'],
    loader: { '.json': 'json' },
    logLevel: 'warning',
  },
];

const contexts = await Promise.all(targets.map((options) => esbuild.context(options)));
if (watch) {
  await Promise.all(contexts.map((ctx) => ctx.watch()));
} else {
  await Promise.all(contexts.map((ctx) => ctx.rebuild()));
  await Promise.all(contexts.map((ctx) => ctx.dispose()));
}
