// Detector figures for `npm run bench`:
//  - throughput: scoreSeries over a seeded 1,000,000-point stream (seasonal, noisy, with injected
//    spikes and shifts), in points per CPU second of this thread (one core; the machine is shared,
//    so wall time alone swings) and per wall second; target ≥ 1,000,000 points/s. Baseline in the
//    same run: the rolling robust z-score (median/MAD of the last 200 points) on the same stream;
//  - quality: the windowed (NAB-style) scores on the real labelled KPIs (kpiBench.ts) for Flowtune,
//    the rolling robust z-score, a never-alarming and a random detector, per series and overall.
// Run alone: npx tsx test/bench/detector.bench.ts
import { scoreSeries } from '../../daemon/analysis/streamScorer';
import { rollingRobustZ, runKpiBench, type KpiBenchResult } from './kpiBench';

function makeSeries(n: number): { values: number[]; timestamps: number[] } {
  let a = 12345;
  const u = () => { a = (Math.imul(a, 1664525) + 1013904223) >>> 0; return a / 4294967296; };
  const values: number[] = new Array(n);
  const timestamps: number[] = new Array(n);
  let level = 100;
  for (let i = 0; i < n; i += 1) {
    if (i % 50_000 === 25_000) level += 30;
    const noise = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
    values[i] = level + 20 * Math.sin((2 * Math.PI * i) / 288) + 3 * noise + (i % 9973 === 0 ? 60 : 0);
    timestamps[i] = 1_700_000_000_000 + i * 300_000;
  }
  return { values, timestamps };
}

function timed<T>(f: () => T): { result: T; cpuSeconds: number; wallSeconds: number } {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = f();
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { result, cpuSeconds: (c.user + c.system) / 1e6, wallSeconds };
}

export interface DetectorBenchResult {
  /** Points per CPU second (one core). */
  pointsPerSecond: number;
  wallPointsPerSecond: number;
  points: number;
  seconds: number;
  /** The rolling robust z-score on the first 200,000 points of the same stream, points per CPU second. */
  baselinePointsPerSecond: number;
  kpi: KpiBenchResult;
}

export async function benchDetector(points = 1_000_000, log: (line: string) => void = () => {}): Promise<DetectorBenchResult> {
  const { values, timestamps } = makeSeries(points);
  scoreSeries(values.slice(0, 20_000), timestamps.slice(0, 20_000)); // warm the JIT
  const run = timed(() => scoreSeries(values, timestamps));
  if (run.result.length !== points) throw new Error('score count mismatch');
  const baseN = Math.min(points, 200_000);
  const base = timed(() => rollingRobustZ(values.slice(0, baseN)));
  log(`  throughput ${Math.round(points / run.cpuSeconds).toLocaleString('en')} points per CPU second (${Math.round(points / run.wallSeconds).toLocaleString('en')} per wall second); rolling robust z ${Math.round(baseN / base.cpuSeconds).toLocaleString('en')}`);
  log('  windowed scores on the labelled KPIs (../shared/data/kpi):');
  const kpi = runKpiBench(log);
  return {
    pointsPerSecond: points / run.cpuSeconds,
    wallPointsPerSecond: points / run.wallSeconds,
    points,
    seconds: run.cpuSeconds,
    baselinePointsPerSecond: baseN / base.cpuSeconds,
    kpi,
  };
}

if (require.main === module) {
  benchDetector(1_000_000, (line) => process.stdout.write(`${line}\n`)).catch((e: unknown) => { process.stderr.write(`${String(e)}\n`); process.exitCode = 1; });
}
