// Finding the workspace's data dir and its daemon, starting one when none runs.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE_NAME, DATA_DIR_NAME } from '../../shared/config';
import { readDaemonInfo, type DaemonInfo } from '../daemonFile';
import { TOKEN_HEADER } from '../server/requestGuard';

/** The nearest folder upwards holding flowtune.config.json or .flowtune/, else the start folder. */
export function findWorkspaceRoot(start: string): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, CONFIG_FILE_NAME)) || fs.existsSync(path.join(dir, DATA_DIR_NAME))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(start);
    dir = parent;
  }
}

export function defaultDataDir(cwd = process.cwd()): string {
  return path.join(findWorkspaceRoot(cwd), DATA_DIR_NAME);
}

export function daemonUrl(info: DaemonInfo): string {
  return `http://127.0.0.1:${info.port}`;
}

export async function isDaemonHealthy(info: DaemonInfo): Promise<boolean> {
  try {
    const response = await fetch(`${daemonUrl(info)}/v1/health`, {
      headers: { [TOKEN_HEADER]: info.token },
      signal: AbortSignal.timeout(2000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * The running daemon for a data dir, or a new one started detached (it outlives this command, so runs
 * from any terminal keep being collected). Waits on daemon.json and the health endpoint, not a sleep.
 */
export async function findOrStartDaemon(dataDir: string, options: { upstream?: string; timeoutMs?: number } = {}): Promise<DaemonInfo> {
  const existing = readDaemonInfo(dataDir);
  if (existing && (await isDaemonHealthy(existing))) return existing;
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const args = [process.argv[1], 'daemon', '--port', '0', '--data-dir', dataDir];
  if (options.upstream) args.push('--upstream', options.upstream);
  const logFd = fs.openSync(path.join(dataDir, 'daemon.stderr.log'), 'a', 0o600);
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'ignore', logFd] });
  child.unref();
  fs.closeSync(logFd);
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    const info = readDaemonInfo(dataDir);
    if (info && info.pid === child.pid && (await isDaemonHealthy(info))) return info;
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const again = readDaemonInfo(dataDir);
  if (again && (await isDaemonHealthy(again))) return again; // another process won the race
  throw new Error(`the Flowtune daemon did not start; see ${path.join(dataDir, 'daemon.stderr.log')}`);
}

/** Environment that wires any program to the daemon with no code change. */
export function runEnvironment(info: DaemonInfo, runId: string, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const url = daemonUrl(info);
  const resource = [base.OTEL_RESOURCE_ATTRIBUTES, `flowtune.run.id=${runId}`].filter(Boolean).join(',');
  const headers = [base.OTEL_EXPORTER_OTLP_HEADERS, `${TOKEN_HEADER}=${info.token}`].filter(Boolean).join(',');
  return {
    OPENAI_BASE_URL: `${url}/t/${info.token}/run/${runId}/openai/v1`,
    OTEL_EXPORTER_OTLP_ENDPOINT: url,
    OTEL_EXPORTER_OTLP_HEADERS: headers,
    OTEL_RESOURCE_ATTRIBUTES: resource,
    FLOWTUNE_URL: url,
    FLOWTUNE_TOKEN: info.token,
    FLOWTUNE_RUN_ID: runId,
  };
}
