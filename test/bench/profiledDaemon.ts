// A `flowtune daemon` process started with `node --cpu-prof` (Node 20 refuses --cpu-prof in
// NODE_OPTIONS, so it goes on node's own command line through the shared harness).
import * as fs from 'node:fs';
import { spawnDaemonProcess, type DaemonProcess } from '../support/daemonHarness';

export async function spawnProfiledDaemon(dataDir: string, profileDir: string): Promise<DaemonProcess> {
  fs.mkdirSync(profileDir, { recursive: true });
  return spawnDaemonProcess(dataDir, [], ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
}
