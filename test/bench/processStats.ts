// Memory and CPU of another process, from /proc (Linux): VmRSS (current), VmHWM (peak resident
// set since start) and user+system CPU time. A sampler also records the highest VmRSS it saw.
import * as fs from 'node:fs';

export interface MemorySnapshot {
  rssMb: number;
  hwmMb: number;
  /** VmRSS split: anonymous memory (heaps, malloc), file-backed pages, shared memory (SQLite's -shm). */
  anonMb: number;
  fileMb: number;
  shmemMb: number;
}

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every common Linux build. */
const CLOCK_TICKS = 100;

function kbField(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : Number.NaN;
}

export function readMemory(pid: number): MemorySnapshot | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const mb = (field: string) => kbField(status, field) / 1024;
    return { rssMb: mb('VmRSS'), hwmMb: mb('VmHWM'), anonMb: mb('RssAnon'), fileMb: mb('RssFile'), shmemMb: mb('RssShmem') };
  } catch {
    return null;
  }
}

/** utime and stime of a /proc stat line, in seconds. */
function cpuTimesOf(stat: string): { userSeconds: number; systemSeconds: number } {
  // The command name (field 2) may contain spaces; fields after the closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { userSeconds: Number(fields[11]) / CLOCK_TICKS, systemSeconds: Number(fields[12]) / CLOCK_TICKS };
}

/** User + system CPU seconds the process has used so far. */
export function readCpuSeconds(pid: number): number {
  try {
    const { userSeconds, systemSeconds } = cpuTimesOf(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return userSeconds + systemSeconds;
  } catch {
    return Number.NaN;
  }
}

export interface ThreadCpu {
  tid: number;
  userSeconds: number;
  systemSeconds: number;
}

/** User and system CPU seconds of each thread of the process (/proc/<pid>/task/<tid>/stat). */
export function readThreadCpu(pid: number): ThreadCpu[] {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const threads: ThreadCpu[] = [];
  for (const tid of tids) {
    try {
      threads.push({ tid: Number(tid), ...cpuTimesOf(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')) });
    } catch {
      // the thread ended meanwhile
    }
  }
  return threads;
}

/**
 * CPU each thread used between two readings, busiest first after the main thread (tid = pid).
 * Threads are not named in Node 20; in the daemon the busiest others are the OTLP mapping worker,
 * the WAL checkpoint worker, then V8's GC helpers.
 */
export function threadCpuBetween(pid: number, before: ThreadCpu[], after: ThreadCpu[]): ThreadCpu[] {
  const start = new Map(before.map((t) => [t.tid, t]));
  const deltas = after.map((t) => {
    const b = start.get(t.tid);
    return { tid: t.tid, userSeconds: t.userSeconds - (b?.userSeconds ?? 0), systemSeconds: t.systemSeconds - (b?.systemSeconds ?? 0) };
  });
  const total = (t: ThreadCpu) => t.userSeconds + t.systemSeconds;
  return deltas.filter((t) => total(t) > 0).sort((a, b) => (a.tid === pid ? -1 : b.tid === pid ? 1 : total(b) - total(a)));
}

export interface MemorySampler {
  stop(): { peakSampledRssMb: number; last: MemorySnapshot | null };
}

export function sampleMemory(pid: number, everyMs = 50): MemorySampler {
  let peak = 0;
  let last: MemorySnapshot | null = null;
  const tick = () => {
    const snapshot = readMemory(pid);
    if (snapshot) {
      last = snapshot;
      peak = Math.max(peak, snapshot.rssMb);
    }
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return { peakSampledRssMb: peak, last };
    },
  };
}
