// Which SQLite driver the daemon loads. Users run Node 20, 22 and 24 on several platforms, and a
// native module runs only on the Node ABI and platform it was built for:
// - Node 22 and newer: better-sqlite3 13 (installed as `better-sqlite3-napi`), a Node-API module with
//   prebuilt binaries for linux, macOS and Windows on x64 and arm64 inside the package — one binary per
//   platform for every Node version, nothing to compile. (better-sqlite3 12 also aborts on Node
//   >= 24.19 when a Statement is garbage-collected: node::ObjectWrap's new cleanup hook.)
// - Node 20: better-sqlite3 12 (13 needs Node 22), with the module bundled next to the daemon for this
//   ABI and platform when there is one (the VSIX's dist/native/<platform>-<arch>-abi<N>/), else the
//   one npm built for the user's Node when the `flowtune` package was installed.
// When none loads, the error says so in plain words with the fix.
import type Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INSTALL_COMMAND, NAPI_DRIVER_MIN_NODE_MAJOR } from '../../shared/daemonExit';

type DatabaseConstructor = new (file: string, options?: Database.Options) => Database.Database;

/** The folder name of a bundled native module for a platform, architecture and Node ABI. */
export function nativeTarget(platform: string = process.platform, arch: string = process.arch, abi: string = process.versions.modules): string {
  return `${platform}-${arch}-abi${abi}`;
}

/** The bundled better-sqlite3 12 module for this Node, when the daemon runs from a bundle that carries one. */
export function bundledBinding(bundleDir: string = __dirname): string | undefined {
  const file = path.join(bundleDir, '..', 'native', nativeTarget(), 'better_sqlite3.node');
  return fs.existsSync(file) ? file : undefined;
}

export class NativeModuleError extends Error {
  readonly fix = INSTALL_COMMAND;
  constructor(cause: string) {
    super(
      `Flowtune's daemon cannot load its SQLite module on Node ${process.version} (${nativeTarget()}): ${cause}. ` +
        `Fix: run \`${INSTALL_COMMAND}\` (npm installs the module for this Node; the extension then uses that install), ` +
        'or set flowtune.nodePath to a Node 20, 22 or 24.',
    );
  }
}

const LOAD_FAILURE = /NODE_MODULE_VERSION|compiled against a different Node|Could not locate the bindings file|Cannot find module|invalid ELF header|wrong ELF class|not a valid Win32 application|image not found|dlopen|Module did not self-register/i;

interface Driver {
  Database: DatabaseConstructor;
  nativeBinding?: string;
}

let driver: Driver | null = null;

function loadDriver(): Driver {
  const major = Number(process.versions.node.split('.')[0]);
  // Loaded on demand: better-sqlite3 13 must never be loaded on Node 20 (it crashes there).
  /* eslint-disable @typescript-eslint/no-require-imports */
  if (major >= NAPI_DRIVER_MIN_NODE_MAJOR) return { Database: require('better-sqlite3-napi') as DatabaseConstructor };
  return { Database: require('better-sqlite3') as DatabaseConstructor, nativeBinding: bundledBinding() };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

function plainLoadError(error: unknown): never {
  const message = (error as Error).message ?? String(error);
  if (LOAD_FAILURE.test(message)) throw new NativeModuleError(message.split('\n')[0]);
  throw error;
}

/** Opens a SQLite database with the driver for this Node; a module that cannot load becomes a NativeModuleError. */
export function openDatabase(file: string, options: Database.Options = {}): Database.Database {
  try {
    driver ??= loadDriver();
  } catch (error) {
    plainLoadError(error);
  }
  try {
    return new driver.Database(file, driver.nativeBinding ? { ...options, nativeBinding: driver.nativeBinding } : options);
  } catch (error) {
    plainLoadError(error);
  }
}
