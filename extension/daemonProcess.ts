// Finding the workspace daemon through `.flowtune/daemon.json`, or starting it detached on the system
// Node so it outlives the window and keeps collecting runs from any terminal. No vscode import: the
// caller passes paths and settings in.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATA_DIR_NAME } from '../shared/config';
import { readDaemonInfo, type DaemonInfo } from '../daemon/daemonFile';
import { INSTALL_COMMAND, NATIVE_MODULE_EXIT_CODE } from '../shared/daemonExit';

export const STDERR_LOG = 'daemon.stderr.log';
const START_TIMEOUT_MS = 20_000;

export interface DaemonLocation {
  /** The workspace folder holding flowtune.config.json (or the first folder). */
  root: string;
  dataDir: string;
}

export function daemonLocation(root: string): DaemonLocation {
  return { root, dataDir: path.join(root, DATA_DIR_NAME) };
}

export function daemonBaseUrl(info: DaemonInfo): string {
  return `http://127.0.0.1:${info.port}`;
}

export async function isHealthy(info: DaemonInfo): Promise<boolean> {
  try {
    const response = await fetch(`${daemonBaseUrl(info)}/v1/health`, {
      headers: { 'x-flowtune-token': info.token },
      signal: AbortSignal.timeout(2000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

/** The running daemon, or null (absent, dead, or not answering). */
export async function findDaemon(location: DaemonLocation): Promise<DaemonInfo | null> {
  const info = readDaemonInfo(location.dataDir);
  return info && (await isHealthy(info)) ? info : null;
}

export class DaemonStartError extends Error {
  /** A command that fixes it, when one is known (shown in a notification). */
  constructor(message: string, readonly fix?: string) {
    super(message);
  }
}


/** Starts `flowtune daemon` for the data dir and waits (on daemon.json and health, not a sleep). */
export async function startDaemon(
  location: DaemonLocation,
  options: { nodePath: string; entry: string; upstream: string | null },
): Promise<DaemonInfo> {
  if (!fs.existsSync(options.entry)) throw new DaemonStartError(`the daemon bundle is missing: ${options.entry}`);
  fs.mkdirSync(location.dataDir, { recursive: true, mode: 0o700 });
  const stderrPath = path.join(location.dataDir, STDERR_LOG);
  const stderrFd = fs.openSync(stderrPath, 'a', 0o600);
  const args = [options.entry, 'daemon', '--port', '0', '--data-dir', location.dataDir];
  if (options.upstream) args.push('--upstream', options.upstream);
  let spawnError: Error | null = null;
  const child = spawn(options.nodePath, args, { cwd: location.root, detached: true, stdio: ['ignore', 'ignore', stderrFd], windowsHide: true });
  child.on('error', (error) => (spawnError = error));
  child.unref();
  fs.closeSync(stderrFd);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (spawnError) {
      throw new DaemonStartError(`cannot run "${options.nodePath}": ${(spawnError as Error).message}. Set flowtune.nodePath to a Node 20+ executable.`);
    }
    const info = readDaemonInfo(location.dataDir);
    if (info && (info.pid === child.pid || child.exitCode !== null) && (await isHealthy(info))) return info; // ours, or one that won the race
    if (child.exitCode !== null && !info) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (child.exitCode === NATIVE_MODULE_EXIT_CODE) {
    throw new DaemonStartError(lastLines(stderrPath, 1).replace(/^flowtune: cannot start the daemon: /, ''), INSTALL_COMMAND);
  }
  throw new DaemonStartError(`the daemon did not start (exit ${child.exitCode ?? 'pending'}): ${lastLines(stderrPath, 5) || 'no output'}`);
}

/** Stops the daemon (SIGTERM) and waits until it has removed daemon.json. */
export async function stopDaemon(location: DaemonLocation, info: DaemonInfo, timeoutMs = 10_000): Promise<void> {
  try {
    process.kill(info.pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!readDaemonInfo(location.dataDir)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new DaemonStartError(`the daemon (pid ${info.pid}) did not stop within ${timeoutMs / 1000}s`);
}

function lastLines(file: string, count: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-count).join(' | ');
  } catch {
    return '';
  }
}
