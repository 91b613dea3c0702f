// Starting real daemons for tests: in-process (for direct store assertions) or as a separate
// `flowtune daemon` process (for kill -9, signals and the one-daemon-per-dir rule).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startDaemon, type DaemonOptions, type RunningDaemon } from '../../daemon/daemonMain';
import type { DaemonInfo } from '../../daemon/daemonFile';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CLI_PATH = path.join(REPO_ROOT, 'bin', 'flowtune.js');

import { makeTempDir } from './tempDir';

export { makeTempDir };

export interface TestDaemon {
  daemon: RunningDaemon;
  url: string;
  token: string;
  dataDir: string;
  /** fetch against the daemon with the token header set. */
  request(pathname: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export async function startTestDaemon(options: Partial<DaemonOptions> = {}): Promise<TestDaemon> {
  const dataDir = options.dataDir ?? path.join(makeTempDir(), '.flowtune');
  const daemon = await startDaemon({ port: 0, dataDir, logToStderr: false, ...options });
  const url = `http://127.0.0.1:${daemon.ctx.port}`;
  const token = daemon.ctx.token;
  return {
    daemon,
    url,
    token,
    dataDir,
    request: (pathname, init = {}) =>
      fetch(url + pathname, { ...init, headers: { 'x-flowtune-token': token, ...(init.headers as Record<string, string> | undefined) } }),
    stop: () => daemon.stop(),
  };
}

export interface DaemonProcess {
  child: ChildProcess;
  info: DaemonInfo;
  stderr: () => string;
}

/**
 * Runs `flowtune daemon` as its own process (needs `npm run build`) and waits for daemon.json + health.
 * `nodeArgs` go to node itself (e.g. `--cpu-prof`, which Node 20 refuses in NODE_OPTIONS).
 */
export async function spawnDaemonProcess(dataDir: string, extraArgs: string[] = [], nodeArgs: string[] = []): Promise<DaemonProcess> {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'daemon', 'cli.js'))) throw new Error('run `npm run build` first');
  let stderr = '';
  const child = spawn(process.execPath, [...nodeArgs, CLI_PATH, 'daemon', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => (stderr += `[STDOUT] ${chunk.toString()}`));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}: ${stderr}`);
    try {
      const info = JSON.parse(fs.readFileSync(path.join(dataDir, 'daemon.json'), 'utf8')) as DaemonInfo;
      if (info.pid === child.pid) {
        const health = await fetch(`http://127.0.0.1:${info.port}/v1/health`, { headers: { 'x-flowtune-token': info.token } }).catch(() => null);
        if (health?.ok) return { child, info, stderr: () => stderr };
      }
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`daemon did not become ready: ${stderr}`);
}

/** Resolves with the exit code (null when a signal ended it), also when the process already exited. */
export function waitForExit(child: ChildProcess): Promise<number | null> {
  // A process killed by a signal keeps exitCode null and sets signalCode: both mean "already gone".
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
