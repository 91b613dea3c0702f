// Which daemon the extension starts, for the Node it will run on. The VSIX bundles the daemon with
// SQLite drivers for Node 22+ on linux, macOS and Windows (x64, arm64) and for Node 20 on the build's
// platform (linux-x64); for any other Node or platform, an installed `flowtune` npm package — the workspace's, then the
// global one of that Node's npm, as the ESLint extension finds the workspace's eslint — carries the
// module npm compiled for it. With neither, the answer says so in plain words with the command that
// fixes it. No vscode import: paths and settings come in, the choice goes out.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INSTALL_COMMAND, NAPI_DRIVER_MIN_NODE_MAJOR } from '../shared/daemonExit';

const MIN_NODE_MAJOR = 20;

export interface NodeRuntime {
  version: string;
  /** process.versions.modules: the ABI native modules are compiled for. */
  abi: string;
  platform: string;
  arch: string;
  /** The executable's real path (for the global npm prefix beside it). */
  execPath: string;
}

export type DaemonChoice =
  | { kind: 'bundled' | 'workspace' | 'global'; entry: string; node: NodeRuntime }
  | { kind: 'unsupported'; message: string; fix: string };

/** Asks the configured Node what it is (a missing or broken executable is an error with its message). */
export function probeNode(nodePath: string, timeoutMs = 10_000): Promise<NodeRuntime> {
  const script = 'process.stdout.write(JSON.stringify({version:process.version,abi:process.versions.modules,platform:process.platform,arch:process.arch,execPath:process.execPath}))';
  return new Promise((resolve, reject) => {
    execFile(nodePath, ['-e', script], { timeout: timeoutMs, windowsHide: true }, (error, stdout) => {
      if (error) return reject(new Error(`cannot run "${nodePath}": ${error.message.split('\n')[0]}`));
      try {
        resolve(JSON.parse(stdout) as NodeRuntime);
      } catch {
        reject(new Error(`"${nodePath}" did not answer like Node.js`));
      }
    });
  });
}

/** Where the global `flowtune` package of this Node's npm lives (npm's default prefix layout). */
export function globalPackageDir(node: Pick<NodeRuntime, 'execPath' | 'platform'>, env: NodeJS.ProcessEnv = process.env): string {
  const prefix = env.npm_config_prefix ?? env.NPM_CONFIG_PREFIX ?? (node.platform === 'win32' ? path.dirname(node.execPath) : path.dirname(path.dirname(node.execPath)));
  return node.platform === 'win32' ? path.join(prefix, 'node_modules', 'flowtune') : path.join(prefix, 'lib', 'node_modules', 'flowtune');
}

/** Picks the daemon for this Node: bundled when the VSIX has its native module, else an npm install. */
export function chooseDaemon(options: { extensionPath: string; workspaceRoot: string; node: NodeRuntime; env?: NodeJS.ProcessEnv }): DaemonChoice {
  const { node } = options;
  const major = Number(/^v(\d+)/.exec(node.version)?.[1] ?? 0);
  if (major < MIN_NODE_MAJOR) {
    return { kind: 'unsupported', message: `Flowtune's daemon needs Node.js ${MIN_NODE_MAJOR} or newer; flowtune.nodePath runs ${node.version}.`, fix: 'Install Node.js 20, 22 or 24 and set flowtune.nodePath to it.' };
  }
  const bundled = path.join(options.extensionPath, 'dist', 'daemon', 'cli.js');
  // The drivers daemon/store/sqliteBinding.ts loads: Node-API prebuilds per platform for Node 22+, the
  // build machine's Node 20 module per platform and ABI.
  const native =
    major >= NAPI_DRIVER_MIN_NODE_MAJOR
      ? path.join(options.extensionPath, 'node_modules', 'better-sqlite3-napi', 'prebuilds', `${node.platform}-${node.arch}.node`)
      : path.join(options.extensionPath, 'dist', 'native', `${node.platform}-${node.arch}-abi${node.abi}`, 'better_sqlite3.node');
  if (fs.existsSync(bundled) && fs.existsSync(native)) return { kind: 'bundled', entry: bundled, node };
  const installs: Array<['workspace' | 'global', string]> = [
    ['workspace', path.join(options.workspaceRoot, 'node_modules', 'flowtune')],
    ['global', globalPackageDir(node, options.env)],
  ];
  for (const [kind, dir] of installs) {
    const entry = path.join(dir, 'dist', 'daemon', 'cli.js');
    // better-sqlite3 sits inside the package (global installs) or beside it (npm hoists in a project).
    const sqlite = [path.join(dir, 'node_modules', 'better-sqlite3'), path.join(dir, '..', 'better-sqlite3')];
    if (fs.existsSync(entry) && sqlite.some((d) => fs.existsSync(d))) return { kind, entry, node };
  }
  // A development checkout: npm built better-sqlite3 for the developer's Node (a mismatch still ends in
  // the daemon's own plain-words exit, reported like this one).
  if (fs.existsSync(bundled) && fs.existsSync(path.join(options.extensionPath, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))) {
    return { kind: 'bundled', entry: bundled, node };
  }
  return {
    kind: 'unsupported',
    message: `The Flowtune extension has no SQLite module for Node ${node.version} on ${node.platform}-${node.arch} (it bundles Node 22+ on linux, macOS and Windows, x64 and arm64, and Node 20 on linux-x64), and no flowtune npm package is installed for it.`,
    fix: INSTALL_COMMAND,
  };
}
