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

/** User + system CPU seconds the process has used so far. */
export function readCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after the closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
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
