// The `flowtune` command line: daemon, run, demo, optimize, report, detect.
// Only the CLI's own reports go to stdout; the daemon command logs to stderr and its log file.
import { Command, InvalidArgumentError } from 'commander';
import * as path from 'node:path';
import { DaemonAlreadyRunningError } from './daemonFile';
import { FLOWTUNE_VERSION, startDaemon, stopOnSignals } from './daemonMain';
import { demoCommand } from './cli/demoCommand';
import { optimizeCommand, reportCommand } from './cli/improveCommands';
import { runCommand } from './cli/runCommand';
import { runDetect } from './analysis/detectCsv';
import { NATIVE_MODULE_EXIT_CODE } from '../shared/daemonExit';
import { NativeModuleError } from './store/sqliteBinding';
import { defaultDataDir } from './cli/workspace';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('port must be an integer 0..65535');
  return port;
}

function parseUrl(value: string): string {
  try {
    return new URL(value).toString().replace(/\/$/, '');
  } catch {
    throw new InvalidArgumentError(`not a URL: ${value}`);
  }
}

const program = new Command();
program.name('flowtune').description('LLM pipelines that measure and improve themselves').version(FLOWTUNE_VERSION).enablePositionalOptions();

program
  .command('daemon')
  .description('run the Flowtune daemon for a data dir (binds 127.0.0.1 only)')
  .option('--port <port>', 'port on 127.0.0.1 (0 picks a free one)', parsePort, 0)
  .option('--data-dir <dir>', 'data directory (store, daemon.json, logs)')
  .option('--upstream <url>', 'upstream model provider for the proxy, e.g. https://api.openai.com/v1', parseUrl)
  .option('--config <file>', 'project config (default: flowtune.config.json beside the data dir)')
  .action(async (options: { port: number; dataDir?: string; upstream?: string; config?: string }) => {
    const dataDir = path.resolve(options.dataDir ?? defaultDataDir());
    try {
      const daemon = await startDaemon({ port: options.port, dataDir, upstream: options.upstream, configFile: options.config });
      stopOnSignals(daemon, daemon.ctx.logger);
    } catch (error) {
      if (error instanceof DaemonAlreadyRunningError) {
        process.stderr.write(`flowtune: ${error.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`flowtune: cannot start the daemon: ${(error as Error).message}\n`);
      process.exit(error instanceof NativeModuleError ? NATIVE_MODULE_EXIT_CODE : 1);
    }
  });

program
  .command('run')
  .description('run a command wired to the daemon (OpenAI base URL, OTLP endpoint) and record it as a run')
  .option('--data-dir <dir>', 'data directory (default: .flowtune in the workspace)')
  .option('--name <name>', 'a name for the run')
  .option('--upstream <url>', 'upstream for a daemon started by this command', parseUrl)
  .argument('<command...>', 'the command to run, after --')
  .passThroughOptions()
  .action(async (argv: string[], options: { dataDir?: string; name?: string; upstream?: string }) => {
    try {
      const code = await runCommand(argv, { dataDir: path.resolve(options.dataDir ?? defaultDataDir()), name: options.name, upstream: options.upstream });
      process.exit(code);
    } catch (error) {
      process.stderr.write(`flowtune: ${(error as Error).message}\n`);
      process.exit(1);
    }
  });

program
  .command('demo')
  .description('the whole loop on an embedded default: a simulated provider, the daemon and proxy, a 5-worker pipeline, generations with feedback, optimization cycles, the evolution report')
  .option('--generations <n>', 'generations of runs (an optimization cycle after each but the last)', (v) => Number.parseInt(v, 10), 8)
  .option('--runs <n>', 'pipeline runs per generation', (v) => Number.parseInt(v, 10), 40)
  .option('--concurrency <n>', 'runs in parallel', (v) => Number.parseInt(v, 10), 8)
  .option('--aa <n>', 'also run N A/A paired replays and report the false-ship rate', (v) => Number.parseInt(v, 10), 0)
  .option('--data-dir <dir>', 'keep the demo workspace (config and .flowtune store) here (default: a temp dir)')
  .option('--keep', 'keep the daemon running after the demo', false)
  .action(async (options: { generations: number; runs: number; concurrency: number; aa: number; dataDir?: string; keep: boolean }) => {
    try {
      process.exit(await demoCommand(options));
    } catch (error) {
      process.stderr.write(`flowtune demo: ${(error as Error).message}\n`);
      process.exit(1);
    }
  });

program
  .command('optimize')
  .description("run one optimization cycle on the workspace's daemon: analyse, test, apply or leave for review (progress on stderr)")
  .option('--data-dir <dir>', 'data directory (default: .flowtune in the workspace)')
  .option('--json', 'print the cycle report as JSON', false)
  .action(async (options: { dataDir?: string; json: boolean }) => {
    try {
      process.exit(await optimizeCommand({ dataDir: path.resolve(options.dataDir ?? defaultDataDir()), json: options.json }));
    } catch (error) {
      process.stderr.write(`flowtune optimize: ${(error as Error).message}\n`);
      process.exit(1);
    }
  });

program
  .command('report')
  .description('the evolution report: initial vs current performance, improvements and what they were learned from')
  .option('--data-dir <dir>', 'data directory (default: .flowtune in the workspace)')
  .option('--json', 'print the report as JSON (the DESIGN.md shape)', false)
  .option('--html', 'write the HTML report with charts and print its path', false)
  .option('--out <file>', 'where to write the HTML report (default: <data-dir>/report.html)')
  .action(async (options: { dataDir?: string; json: boolean; html: boolean; out?: string }) => {
    try {
      process.exit(await reportCommand({ dataDir: path.resolve(options.dataDir ?? defaultDataDir()), json: options.json, html: options.html, out: options.out }));
    } catch (error) {
      process.stderr.write(`flowtune report: ${(error as Error).message}\n`);
      process.exit(1);
    }
  });

program
  .command('detect')
  .description('score a timestamp,value CSV for anomalies, causally (each row from the rows before it); writes timestamp,value,anomaly_score')
  .requiredOption('--input <file>', 'CSV with timestamp,value rows (header optional)')
  .option('--output <file>', 'where to write the scored CSV (default: stdout)')
  .action(async (options: { input: string; output?: string }) => {
    try {
      const { rows } = await runDetect(options.input, options.output);
      if (options.output) process.stderr.write(`flowtune detect: scored ${rows} rows → ${options.output}\n`);
    } catch (error) {
      process.stderr.write(`flowtune detect: ${(error as Error).message}\n`);
      process.exit(1);
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`flowtune: ${(error as Error).message}\n`);
  process.exit(1);
});
