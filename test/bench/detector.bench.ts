// Detector throughput: scoreSeries over a seeded 1,000,000-point stream (seasonal, noisy, with
// injected spikes and shifts). Target ≥ 1,000,000 points/s. Run: npx tsx test/bench/detector.bench.ts
import { scoreSeries } from '../../daemon/analysis/streamScorer';

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

export async function benchDetector(points = 1_000_000): Promise<{ pointsPerSecond: number; points: number; seconds: number }> {
  const { values, timestamps } = makeSeries(points);
  scoreSeries(values.slice(0, 20_000), timestamps.slice(0, 20_000)); // warm the JIT
  const t0 = process.hrtime.bigint();
  const scores = scoreSeries(values, timestamps);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (scores.length !== points) throw new Error('score count mismatch');
  return { pointsPerSecond: points / seconds, points, seconds };
}

if (require.main === module) {
  benchDetector().then((r) => {
    process.stdout.write(`detector: ${r.points} points in ${r.seconds.toFixed(3)} s → ${Math.round(r.pointsPerSecond).toLocaleString('en')} points/s\n`);
  }, (e: unknown) => { process.stderr.write(`${String(e)}\n`); process.exitCode = 1; });
}
