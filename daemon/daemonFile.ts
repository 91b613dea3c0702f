// One daemon per data dir. `daemon.lock` (created exclusively) says who owns the dir; `daemon.json`
// (mode 0600) tells clients where it listens and which token to send.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const DAEMON_FILE_NAME = 'daemon.json';
export const LOCK_FILE_NAME = 'daemon.lock';

export interface DaemonInfo {
  pid: number;
  port: number;
  token: string;
}

export class DaemonAlreadyRunningError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
    readonly port: number | null,
  ) {
    super(
      `a Flowtune daemon is already running for ${dataDir} (pid ${pid}${port !== null ? `, port ${port}` : ''}); ` +
        `stop it first (kill ${pid}) or use another --data-dir`,
    );
  }
}

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads `daemon.json`; null when absent, unreadable or describing a dead process. */
export function readDaemonInfo(dataDir: string): DaemonInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, DAEMON_FILE_NAME), 'utf8')) as Partial<DaemonInfo>;
    if (typeof info.pid !== 'number' || typeof info.port !== 'number' || typeof info.token !== 'string') return null;
    return isProcessAlive(info.pid) ? (info as DaemonInfo) : null;
  } catch {
    return null;
  }
}

/** Takes the data dir for this process, or throws DaemonAlreadyRunningError naming the owner. */
export function acquireDataDirLock(dataDir: string): () => void {
  const lockPath = path.join(dataDir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => {
        try {
          if (fs.readFileSync(lockPath, 'utf8').trim() === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const ownerPid = Number.parseInt(safeRead(lockPath), 10);
      if (isProcessAlive(ownerPid) && ownerPid !== process.pid) {
        throw new DaemonAlreadyRunningError(dataDir, ownerPid, readDaemonInfo(dataDir)?.port ?? null);
      }
      // The owner died without cleaning up (kill -9): the lock is stale, take it over.
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`could not take the lock ${lockPath}`);
}

/** Writes `daemon.json` atomically with mode 0600 (it holds the token). */
export function writeDaemonInfo(dataDir: string, info: DaemonInfo): void {
  const target = path.join(dataDir, DAEMON_FILE_NAME);
  const temporary = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  fs.chmodSync(temporary, 0o600);
  fs.renameSync(temporary, target);
}

export function removeDaemonInfo(dataDir: string): void {
  const target = path.join(dataDir, DAEMON_FILE_NAME);
  try {
    const info = JSON.parse(fs.readFileSync(target, 'utf8')) as Partial<DaemonInfo>;
    if (info.pid === process.pid) fs.unlinkSync(target);
  } catch {
    // Nothing to remove.
  }
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
