// `flowtune demo`: the whole loop on an embedded default — a SIMULATED provider, a real daemon with its
// recording proxy, a five-worker content pipeline driven by the official openai client, generations of
// runs with feedback, optimization cycles between them, and the evolution report at the end, compared
// with the simulator's known optimum. Writes to stdout (this is the CLI); the progress bar goes to stderr.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startDaemon } from '../daemonMain';
import { APP_SETTINGS, DEMO_WORKERS, measureKnownOptimum, proxyTarget, runGeneration, WRITE_VARIANT, type KnownOptimum } from '../demo/demoPipeline';
import { compareWithOptimum, generationFigures, type GenerationFigures } from '../demo/demoMetrics';
import { startSimulatedProvider } from '../demo/simulatedProvider';
import { runCycle } from '../optimize/cycle';
import { engineFor } from '../optimize/engine';
import { evolutionReport } from '../optimize/report/evolutionReport';
import { renderHtmlReport } from '../optimize/report/htmlReport';
import { measureAaFalseShips } from '../demo/aaReplays';
import { describeCycle, describeReport } from './improveCommands';
import { progressBar, type ProgressBar } from './progressBar';

export interface DemoOptions {
  generations: number;
  runs: number;
  concurrency: number;
  dataDir?: string;
  keep: boolean;
  /** Multiplies the simulated latencies (tests use 0). */
  latencyScale?: number;
  /** A/A replays to run at the end (0: skip). */
  aa?: number;
  out?: (line: string) => void;
  bar?: ProgressBar;
}

export interface DemoResult {
  exitCode: number;
  generations: GenerationFigures[];
  optimum: KnownOptimum;
  reportFile: string;
  falseShipRate: number | null;
}

const money = (x: number) => `$${x.toFixed(6)}`;

export async function demoCommand(options: DemoOptions): Promise<number> {
  return (await runDemo(options)).exitCode;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const out = options.out ?? ((line: string) => process.stdout.write(line + '\n'));
  const bar = options.bar ?? progressBar();
  const workspace = path.resolve(options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'flowtune-demo-')));
  fs.mkdirSync(workspace, { recursive: true });
  const configFile = path.join(workspace, 'flowtune.config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify(
      {
        workers: DEMO_WORKERS,
        policy: { auto_apply: true, confidence_threshold: 0.9, quality_margin: 0.05 },
        budgets: { replay_usd: 0.5 },
        optimize: { candidate_models: ['gpt-4o', 'gpt-4.1-mini', 'gpt-4o-mini', 'gpt-4.1-nano'], replay_max_pairs: 60, watch_min_calls: 20 },
      },
      null,
      2,
    ),
  );
  const provider = await startSimulatedProvider({ seed: 42, latencyScale: options.latencyScale ?? 1 });
  const dataDir = path.join(workspace, '.flowtune');
  const daemon = await startDaemon({ port: 0, dataDir, upstream: provider.baseURL, configFile, logToStderr: false });
  const url = `http://127.0.0.1:${daemon.ctx.port}`;
  const started = Date.now();
  out('Flowtune demo. The model provider is SIMULATED (daemon/demo/simulatedProvider.ts documents it): no key, no network.');
  out('Every number below is measured in this run.');
  out(`daemon ${url}, store ${path.join(dataDir, 'flowtune.db')}, config ${configFile}`);
  out(`pipeline: research → outline → write → tags, title (${DEMO_WORKERS.length} workers, all on ${APP_SETTINGS.research.model}), official openai client through the proxy; a simulated reader rates each article`);
  out(`${options.generations} generations of ${options.runs} runs, an optimization cycle after each but the last\n`);
  const target = proxyTarget(url, daemon.ctx.token);
  try {
    await fetch(`${url}/v1/prompt-variants/${WRITE_VARIANT.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-flowtune-token': daemon.ctx.token },
      body: JSON.stringify({ system_prompt: WRITE_VARIANT.system_prompt, worker: 'write', description: "the developer's alternative writer prompt", created_by: 'developer' }),
    });
    const engine = engineFor(daemon.ctx);
    const figures: GenerationFigures[] = [];
    let pipelineCalls = 0;
    for (let g = 1; g <= options.generations; g++) {
      const prefix = `demo-g${String(g).padStart(2, '0')}`;
      const result = await runGeneration(target, {
        runs: options.runs,
        startIndex: (g - 1) * options.runs,
        concurrency: options.concurrency,
        seed: 1000 + g,
        runPrefix: prefix,
        onProgress: (done) => bar.update(`generation ${g}/${options.generations}: runs`, done, options.runs),
      });
      pipelineCalls += result.calls;
      const f = generationFigures(daemon.ctx.db, prefix, g, pipelineCalls);
      figures.push(f);
      bar.done();
      out(
        `generation ${g}: ${f.runs} runs (${result.failedRuns} failed), cost/run ${money(f.costPerRun)}, ${f.secondsPerRun.toFixed(3)} s/run, outline quality ${f.outlineQuality?.toFixed(3) ?? '-'}, reader rating ${f.writeRating?.toFixed(2) ?? '-'}, cache hits ${f.cacheHits}`,
      );
      if (g === options.generations) break;
      const cycle = await runCycle(engine, (stage, done, total) => bar.update(`cycle ${g}: ${stage}`, done, total));
      bar.done();
      for (const line of describeCycle(cycle)) out(`  ${line}`);
    }

    bar.update('measuring the known optimum', 0, 1);
    const optimum = await measureKnownOptimum(provider.baseURL, engine.prices, Math.max(20, options.runs), 7);
    let falseShipRate: number | null = null;
    let aaLine: string | null = null;
    if (options.aa && options.aa > 0) {
      // A/A only tests the statistics: a second provider without simulated latency keeps it quick.
      const fast = await startSimulatedProvider({ seed: 4242, latencyScale: 0 });
      try {
        const aa = await measureAaFalseShips(daemon.ctx.db, engine, 'outline', options.aa, (done) => bar.update('A/A replays', done, options.aa ?? 1), { baseURL: fast.baseURL });
        falseShipRate = aa.falseShipRate;
        aaLine = `A/A check: ${aa.experiments} paired replays of outline with identical arms (${aa.calls} calls) shipped ${aa.shipped} times: false-ship rate ${(aa.falseShipRate * 100).toFixed(1)}% (rejected ${aa.rejected}, inconclusive ${aa.inconclusive})`;
      } finally {
        await fast.close();
      }
    }
    bar.done();

    const report = evolutionReport(daemon.ctx.db);
    out('');
    for (const line of describeReport(report)) out(line);
    const cmp = compareWithOptimum(figures, optimum.costPerRun);
    out('');
    out("Against the simulator's known optimum (the same pipeline run straight at the provider under the best settings its table implies):");
    out(`  cost per run: start ${money(cmp.baselineCostPerRun)}, now ${money(cmp.finalCostPerRun)}, optimum ${money(cmp.optimumCostPerRun)} → ${(cmp.achievedShare * 100).toFixed(1)}% of the achievable saving`);
    out(
      cmp.reached80
        ? `  80% of the achievable saving reached in generation ${cmp.reached80.generation}, after ${cmp.reached80.pipelineCalls + cmp.reached80.replayCalls} calls (${cmp.reached80.pipelineCalls} pipeline + ${cmp.reached80.replayCalls} replay)`
        : '  80% of the achievable saving was not reached in this run',
    );
    const first = figures[0];
    const last = figures.at(-1) as GenerationFigures;
    out(`  outline quality: start ${first.outlineQuality?.toFixed(3) ?? '-'}, now ${last.outlineQuality?.toFixed(3) ?? '-'}, optimum ${optimum.outlineQuality.toFixed(3)}`);
    out(`  reader rating (1-5): start ${first.writeRating?.toFixed(2) ?? '-'}, now ${last.writeRating?.toFixed(2) ?? '-'}, optimum ${optimum.writeRating.toFixed(2)}`);
    out(`  time per run: start ${first.secondsPerRun.toFixed(3)} s, now ${last.secondsPerRun.toFixed(3)} s`);
    if (aaLine) out(aaLine);
    const reportFile = path.join(dataDir, 'report.html');
    fs.writeFileSync(reportFile, renderHtmlReport(report));
    out('');
    out(`HTML report: ${reportFile}`);
    out(`Decision log: ${url}/v1/decisions.md (while the daemon runs), ${path.join(dataDir, 'flowtune.db')} table decisions`);
    out(`Demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s; ${provider.requests()} requests reached the simulated provider.`);
    if (options.keep) {
      out(`\nThe daemon keeps running (Ctrl-C to stop). Token: see ${path.join(dataDir, 'daemon.json')}`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
    return { exitCode: last.runs > 0 ? 0 : 1, generations: figures, optimum, reportFile, falseShipRate };
  } finally {
    await daemon.stop();
    await provider.close();
  }
}
