// `npm run bench`: Flowtune's throughput, latency and memory figures, each with a baseline measured
// in the same run. Prints figures (not pass/fail) and a markdown summary, and writes
// test-artifacts/bench.json and bench.md. Not part of `npm test`.
//
// Options (after `npm run bench --`): --spans N (timed spans per ingest case, default 204,800),
// --batch 512[,256] --encodings json,protobuf --in-flight 4 --connections 4 --calls 1000000
// --stages auto|on|off (in-process ingest stage breakdown; auto = when the ingest target is missed)
// --profile [--profile-spans N] (an extra daemon run under --cpu-prof, summarised) --skip-ingest --skip-query --skip-detector
// --skip-proxy (the proxy overhead bench, test/bench/proxyBench.ts, about 2.5 minutes)
// --skip-loop (the closed loop on two simulators from no config, test/bench/closedLoopBench.ts, about 1 minute)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO_ROOT, makeTempDir } from '../support/daemonHarness';
import { formatProfileSummary, summarizeCpuProfile } from './cpuProfile';
import type { OtlpEncoding } from './genaiSpans';
import { runIngestCase, type IngestCaseResult } from './ingestBench';
import { runQueryBench, type QueryBenchResult } from './queryBench';
import { TARGETS, formatReport, formatThreads, type BenchReport, type DetectorResult, type MachineInfo } from './report';
import { measureStages, type StageBreakdown } from './stageBreakdown';
import { closedLoopMarkdown } from './closedLoopBench';

const { values: args } = parseArgs({
  options: {
    spans: { type: 'string', default: '204800' },
    warmup: { type: 'string', default: '10240' },
    batch: { type: 'string', default: '512' },
    encodings: { type: 'string', default: 'json,protobuf' },
    'in-flight': { type: 'string', default: '4' },
    connections: { type: 'string', default: '4' },
    calls: { type: 'string', default: '1000000' },
    stages: { type: 'string', default: 'auto' },
    profile: { type: 'boolean', default: false },
    'profile-spans': { type: 'string', default: '102400' },
    'skip-ingest': { type: 'boolean', default: false },
    'skip-query': { type: 'boolean', default: false },
    'skip-detector': { type: 'boolean', default: false },
    'skip-proxy': { type: 'boolean', default: false },
    'skip-loop': { type: 'boolean', default: false },
  },
});

const log = (line: string) => process.stdout.write(`${line}\n`);
const positive = (text: string, name: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${text}"`);
  return n;
};

function loadAverage(): number[] {
  return os.loadavg().map((n) => Math.round(n * 100) / 100);
}

function machineInfo(): MachineInfo {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    node: process.versions.node,
    commit,
    startedAt: new Date().toISOString(),
    loadAtStart: loadAverage(),
    loadAtEnd: [],
  };
}

async function runIngest(): Promise<IngestCaseResult[]> {
  const results: IngestCaseResult[] = [];
  const encodings = args.encodings.split(',').map((e) => e.trim()) as OtlpEncoding[];
  const batches = args.batch.split(',').map((b) => positive(b.trim(), 'batch'));
  let seed = 1000;
  for (const batchSize of batches) {
    for (const encoding of encodings) {
      if (encoding !== 'json' && encoding !== 'protobuf') throw new Error(`unknown encoding "${encoding}"`);
      log(`ingest ${encoding} × ${batchSize}: generating ${positive(args.spans, 'spans').toLocaleString('en')} spans (+ warm-up)…`);
      const result = await runIngestCase({
        encoding,
        batchSize,
        measuredSpans: positive(args.spans, 'spans'),
        warmupSpans: positive(args.warmup, 'warmup'),
        seed: seed++,
        connections: positive(args.connections, 'connections'),
        inFlight: positive(args['in-flight'], 'in-flight'),
      });
      const d = result.daemon;
      log(
        `  daemon ${Math.round(d.spansPerSecond).toLocaleString('en')} spans/s, p99 ${d.latency.p99Ms.toFixed(0)} ms, ` +
          `CPU ${d.cpuMicrosPerSpan.toFixed(0)} µs/span (threads ${formatThreads(d.threadMicrosPerSpan)}), RSS ${d.rssMb.toFixed(0)} MB (anon ${d.anonMb.toFixed(0)}, file ${d.fileMb.toFixed(0)}, shm ${d.shmemMb.toFixed(0)}; peak ${d.hwmMb.toFixed(0)} MB), failures ${d.failures}` +
          (d.firstFailure ? ` (${d.firstFailure})` : '') +
          ` | bare HTTP ${Math.round(result.baseline?.spansPerSecond ?? 0).toLocaleString('en')} spans/s | stored ${result.stored.calls}/${result.stored.expectedCalls} calls`,
      );
      results.push(result);
    }
  }
  return results;
}

function runStages(ingest: IngestCaseResult[]): StageBreakdown[] {
  const missed = ingest.some((c) => c.daemon.spansPerSecond < TARGETS.ingestSpansPerSecond);
  if (args.stages === 'off' || (args.stages === 'auto' && !missed)) return [];
  const stages: StageBreakdown[] = [];
  for (const encoding of ['json', 'protobuf'] as const) {
    log(`stage breakdown ${encoding}: 51,200 spans in-process…`);
    const s = measureStages(encoding, 51_200, 512, 77);
    log(`  decode ${s.decodeUs.toFixed(1)} µs/span, map ${s.mapUs.toFixed(1)}, write ${s.writeUs.toFixed(1)} (first fifth ${s.writeUsFirstFifth.toFixed(0)} → last ${s.writeUsLastFifth.toFixed(0)})`);
    stages.push(s);
  }
  return stages;
}

async function runProfile(): Promise<string> {
  const dir = makeTempDir('flowtune-bench-profile-', { keep: true });
  const spans = positive(args['profile-spans'], 'profile-spans');
  log(`profile: daemon under --cpu-prof, json × 512, ${spans.toLocaleString('en')} spans (profiles in ${dir})…`);
  await runIngestCase({
    encoding: 'json',
    batchSize: 512,
    measuredSpans: spans,
    warmupSpans: 5_120,
    seed: 99,
    connections: 4,
    inFlight: 4,
    cpuProfileDir: dir,
    skipBaseline: true,
  });
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  return files.map((f) => formatProfileSummary(summarizeCpuProfile(path.join(dir, f), 20))).join('\n');
}

function runQuery(): QueryBenchResult {
  const calls = positive(args.calls, 'calls');
  log(`query: filling a store with ${calls.toLocaleString('en')} calls over 30 days…`);
  const result = runQueryBench({ calls, days: 30, batchSize: 5000, seed: 4242, repeats: 5, log });
  log(
    `  fill ${Math.round(result.fill.callsPerSecond).toLocaleString('en')} calls/s; aggregate 7 d ${result.aggregate7d.flowtune.medianMs.toFixed(1)} ms ` +
      `(raw ${result.aggregate7d.baseline?.medianMs.toFixed(1)} ms), 30 d ${result.aggregate30d.flowtune.medianMs.toFixed(1)} ms (raw ${result.aggregate30d.baseline?.medianMs.toFixed(1)} ms)`,
  );
  return result;
}

interface DetectorModule {
  benchDetector?: (points?: number, log?: (line: string) => void) => Promise<DetectorResult>;
}

/** The detector benchmark is another part's file: run it when present, report (not throw) when broken. */
async function runDetector(): Promise<BenchReport['detector']> {
  const file = path.join(__dirname, 'detector.bench.ts');
  if (!fs.existsSync(file)) return null;
  log('detector: scoring a seeded series and the labelled KPIs…');
  try {
    const mod = (await import(pathToFileURL(file).href)) as DetectorModule & { default?: DetectorModule };
    const bench = mod.benchDetector ?? mod.default?.benchDetector;
    if (typeof bench !== 'function') return { error: 'detector.bench.ts does not export benchDetector()' };
    const result = await bench(1_000_000, log);
    if (!(typeof result?.pointsPerSecond === 'number')) return { error: 'benchDetector() returned no pointsPerSecond' };
    return result;
  } catch (error) {
    return { error: (error as Error).message ?? String(error) };
  }
}

interface ProxyBenchModule {
  benchProxy?: (options?: { log?: (line: string) => void }) => Promise<{ markdown: string }>;
}

/** The proxy overhead bench is another part's file: run it when present, report (not throw) when broken. */
async function runProxy(): Promise<{ markdown: string } | { error: string } | null> {
  const file = path.join(__dirname, 'proxyBench.ts');
  if (!fs.existsSync(file)) return null;
  try {
    const mod = (await import(pathToFileURL(file).href)) as ProxyBenchModule & { default?: ProxyBenchModule };
    const bench = mod.benchProxy ?? mod.default?.benchProxy;
    if (typeof bench !== 'function') return { error: 'proxyBench.ts does not export benchProxy()' };
    const result = await bench({ log });
    if (typeof result?.markdown !== 'string') return { error: 'benchProxy() returned no markdown' };
    return result;
  } catch (error) {
    return { error: (error as Error).message ?? String(error) };
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const machine = machineInfo();
  log(`Flowtune bench on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAtStart.join(' ')}`);
  const ingest = args['skip-ingest'] ? [] : await runIngest();
  const stages = args['skip-ingest'] ? [] : runStages(ingest);
  const profile = args.profile ? await runProfile() : null;
  const query = args['skip-query'] ? null : runQuery();
  const detector = args['skip-detector'] ? 'skipped' : await runDetector();
  const proxy = args['skip-proxy'] ? null : await runProxy();
  if (!args['skip-loop']) log('closed loop: two simulated providers, 2,000 calls each, no config…');
  const loop = args['skip-loop'] ? '' : await closedLoopMarkdown(log);
  machine.loadAtEnd = loadAverage();
  const report: BenchReport = { machine, totalSeconds: (performance.now() - started) / 1000, ingest, stages, query, detector, profile };
  const proxyMarkdown = proxy === null ? '' : 'error' in proxy ? `### Proxy overhead\n\nnot measured: ${proxy.error}` : proxy.markdown;
  const markdown = [formatReport(report), proxyMarkdown, loop].filter((part) => part.length > 0).join('\n\n');
  const outDir = path.join(REPO_ROOT, 'test-artifacts');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'bench.json'), `${JSON.stringify({ ...report, proxy }, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, 'bench.md'), `${markdown}\n`);
  log('');
  log(markdown);
  log('');
  log(`written: test-artifacts/bench.json, test-artifacts/bench.md`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
