// A `flowtune daemon` process started with `node --cpu-prof` (Node 20 refuses --cpu-prof in
// NODE_OPTIONS, so the shared harness cannot pass it). Same readiness rule as the harness:
// daemon.json names our child and /v1/health answers.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DaemonInfo } from '../../daemon/daemonFile';
import { CLI_PATH, type DaemonProcess } from '../support/daemonHarness';

export async function spawnProfiledDaemon(dataDir: string, profileDir: string): Promise<DaemonProcess> {
  fs.mkdirSync(profileDir, { recursive: true });
  let stderr = '';
  const child = spawn(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, CLI_PATH, 'daemon', '--port', '0', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
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
