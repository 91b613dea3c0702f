// Which daemon the extension starts for the user's Node: the bundled one where the VSIX carries a
// SQLite driver for that Node and platform, else the workspace's or the global `flowtune` install,
// else a plain-words refusal with the command that fixes it. Layouts are real folders on disk.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chooseDaemon, globalPackageDir, probeNode, type NodeRuntime } from '../../../extension/daemonEntry';
import { INSTALL_COMMAND } from '../../../shared/daemonExit';
import { makeTempDir } from '../../support/tempDir';

function touch(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '');
}

function node(version: string, abi: string, platform = 'linux', arch = 'x64', execPath = '/opt/node/bin/node'): NodeRuntime {
  return { version, abi, platform, arch, execPath };
}

describe('extension: choosing the daemon for the user’s Node', () => {
  let ext: string;
  let ws: string;
  beforeEach(() => {
    ext = makeTempDir('flowtune-ext-');
    ws = makeTempDir('flowtune-ws-');
    touch(path.join(ext, 'dist', 'daemon', 'cli.js'));
    touch(path.join(ext, 'dist', 'native', 'linux-x64-abi115', 'better_sqlite3.node'));
    for (const target of ['linux-x64', 'darwin-arm64', 'win32-x64']) touch(path.join(ext, 'node_modules', 'better-sqlite3-napi', 'prebuilds', `${target}.node`));
  });

  it('Node 20 on the build platform, 22 and 24 on any prebuilt platform: the bundled daemon', () => {
    for (const n of [node('v20.20.2', '115'), node('v22.23.5', '127'), node('v24.21.0', '137'), node('v24.21.0', '137', 'darwin', 'arm64'), node('v22.1.0', '127', 'win32', 'x64')]) {
      const choice = chooseDaemon({ extensionPath: ext, workspaceRoot: ws, node: n, env: {} });
      assert.equal(choice.kind, 'bundled', `${n.version} ${n.platform}-${n.arch}`);
    }
  });

  it('Node 20 on macOS: the workspace install, else the global one beside that Node, else the fix in plain words', () => {
    const mac20 = node('v20.11.0', '115', 'darwin', 'arm64', '/usr/local/Cellar/node/bin/node');
    const refused = chooseDaemon({ extensionPath: ext, workspaceRoot: ws, node: mac20, env: {} });
    assert.equal(refused.kind, 'unsupported');
    assert.ok(refused.kind === 'unsupported' && refused.fix === INSTALL_COMMAND && /Node v20\.11\.0 on darwin-arm64/.test(refused.message));

    const prefix = makeTempDir('flowtune-prefix-');
    const global = globalPackageDir({ execPath: path.join(prefix, 'bin', 'node'), platform: 'darwin' }, {});
    assert.equal(global, path.join(prefix, 'lib', 'node_modules', 'flowtune'));
    touch(path.join(global, 'dist', 'daemon', 'cli.js'));
    touch(path.join(global, 'node_modules', 'better-sqlite3', 'package.json'));
    const viaGlobal = chooseDaemon({ extensionPath: ext, workspaceRoot: ws, node: { ...mac20, execPath: path.join(prefix, 'bin', 'node') }, env: {} });
    assert.deepEqual([viaGlobal.kind, viaGlobal.kind !== 'unsupported' && viaGlobal.entry], ['global', path.join(global, 'dist', 'daemon', 'cli.js')]);

    // npm hoists a project's dependencies: better-sqlite3 beside flowtune, not inside it.
    touch(path.join(ws, 'node_modules', 'flowtune', 'dist', 'daemon', 'cli.js'));
    touch(path.join(ws, 'node_modules', 'better-sqlite3', 'package.json'));
    const viaWorkspace = chooseDaemon({ extensionPath: ext, workspaceRoot: ws, node: mac20, env: {} });
    assert.equal(viaWorkspace.kind, 'workspace');
  });

  it('npm_config_prefix moves the global install', () => {
    assert.equal(globalPackageDir({ execPath: '/usr/bin/node', platform: 'linux' }, { npm_config_prefix: '/home/u/.npm-global' }), '/home/u/.npm-global/lib/node_modules/flowtune');
    assert.equal(globalPackageDir({ execPath: 'C:\\node\\node.exe', platform: 'win32' }, { npm_config_prefix: 'C:\\npm' }), path.join('C:\\npm', 'node_modules', 'flowtune'));
  });

  it('a Node older than 20 is refused with what to install', () => {
    const choice = chooseDaemon({ extensionPath: ext, workspaceRoot: ws, node: node('v18.20.0', '108'), env: {} });
    assert.ok(choice.kind === 'unsupported' && /needs Node\.js 20 or newer/.test(choice.message));
  });

  it('asks the real Node what it is, and names a Node that cannot run', async () => {
    const self = await probeNode(process.execPath);
    assert.deepEqual([self.version, self.abi, self.platform, self.arch], [process.version, process.versions.modules, process.platform, process.arch]);
    await assert.rejects(probeNode('/nonexistent/node'), /cannot run "\/nonexistent\/node"/);
  });
});
