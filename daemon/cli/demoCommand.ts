// `flowtune demo`: the whole loop on an embedded default — a simulated provider, a real daemon with its
// recording proxy, a three-worker pipeline driven by the official openai client, and the measurements.
// Writes its report to stdout (this is the CLI, not the daemon).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startDaemon } from '../daemonMain';
import { runDemoPipeline } from '../demo/demoPipeline';
import { startSimulatedProvider } from '../demo/simulatedProvider';
import { aggregateWorkers, type WorkerAggregate } from '../store/workerQueries';

export interface DemoOptions {
  runs: number;
  concurrency: number;
  dataDir?: string;
  keep: boolean;
  out?: (line: string) => void;
}

export async function demoCommand(options: DemoOptions): Promise<number> {
  const out = options.out ?? ((line: string) => process.stdout.write(line + '\n'));
  const dataDir = path.resolve(options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'flowtune-demo-')));
  const provider = await startSimulatedProvider();
  const daemon = await startDaemon({ port: 0, dataDir, upstream: provider.baseURL, logToStderr: false });
  const url = `http://127.0.0.1:${daemon.ctx.port}`;
  out(`Flowtune demo — daemon on ${url}, store ${path.join(dataDir, 'flowtune.db')}`);
  out(`Simulated provider on ${provider.url} (gpt-4o, gpt-4o-mini; 2% rate limits). Running ${options.runs} pipeline runs…`);
  const started = Date.now();
  try {
    const result = await runDemoPipeline({ daemonUrl: url, token: daemon.ctx.token, runs: options.runs, concurrency: options.concurrency });
    const seconds = (Date.now() - started) / 1000;
    out(`${result.runs} runs (${result.failedRuns} failed), ${result.calls} model calls in ${seconds.toFixed(1)}s; ${result.outlinesScored} outlines scored.\n`);
    const workers = aggregateWorkers(daemon.ctx.db, { since: started - 3_600_000, until: Date.now() + 1 }, 'worker_model');
    for (const line of workerTable(workers)) out(line);
    if (options.keep) {
      out(`\nThe daemon keeps running (Ctrl-C to stop). Token: see ${path.join(dataDir, 'daemon.json')}`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
    return result.calls > 0 ? 0 : 1;
  } finally {
    await daemon.stop();
    await provider.close();
  }
}

function workerTable(workers: WorkerAggregate[]): string[] {
  const header = ['worker', 'model', 'calls', 'errors', 'p50 ms', 'p95 ms', 'tokens in/out', 'cost/call $', 'quality'];
  const rows = workers.map((w) => [
    w.worker,
    w.model,
    String(w.calls),
    String(w.errors),
    w.latencyP50Ms === null ? '-' : w.latencyP50Ms.toFixed(0),
    w.latencyP95Ms === null ? '-' : w.latencyP95Ms.toFixed(0),
    `${w.inputTokens}/${w.outputTokens}`,
    w.costPerCall.toFixed(6),
    w.quality === null ? '-' : w.quality.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(format)];
}
