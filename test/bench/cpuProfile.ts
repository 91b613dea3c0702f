// Reads a V8 .cpuprofile (from `node --cpu-prof`) and lists where the time went: self time per
// function, and total time per source file, so a missed target can be explained with figures.
// Standalone: npx tsx test/bench/cpuProfile.ts <file.cpuprofile> [topN]
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileEntry {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time outside JavaScript (idle, GC, native code) as V8 labels it. */
  idleMs: number;
  gcMs: number;
  topFunctions: ProfileEntry[];
  topFiles: ProfileEntry[];
}

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const clean = url.replace(/^file:\/\//, '');
  const nodeModules = clean.lastIndexOf('node_modules/');
  if (nodeModules >= 0) return clean.slice(nodeModules + 'node_modules/'.length);
  const dist = clean.indexOf('/dist/');
  if (dist >= 0) return clean.slice(dist + 1);
  return clean.startsWith('node:') ? clean : path.basename(clean);
}

export function summarizeCpuProfile(file: string, topN = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  let gcUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    totalUs += us;
    if (frame.functionName === '(idle)') idleUs += us;
    if (frame.functionName === '(garbage collector)') gcUs += us;
    const where = shortUrl(frame.url);
    const name = `${frame.functionName || '(anonymous)'} ${where}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    files.set(where, (files.get(where) ?? 0) + us);
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  const top = (map: Map<string, number>): ProfileEntry[] =>
    [...map]
      .filter(([name]) => !name.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / busyUs }));
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, gcMs: gcUs / 1000, topFunctions: top(functions), topFiles: top(files) };
}

export function formatProfileSummary(summary: ProfileSummary): string {
  const lines = [
    `profile: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.idleMs.toFixed(0)} ms idle, GC ${summary.gcMs.toFixed(0)} ms`,
    'self time by function (share of busy time):',
    ...summary.topFunctions.map((e) => `  ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(6)} ms  ${e.name}`),
    'self time by file:',
    ...summary.topFiles.map((e) => `  ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(6)} ms  ${e.name}`),
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const [file, topN] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: tsx test/bench/cpuProfile.ts <file.cpuprofile> [topN]\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(`${formatProfileSummary(summarizeCpuProfile(file, topN ? Number(topN) : 25))}\n`);
  }
}
