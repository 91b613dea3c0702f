// OTLP ingest throughput: one encoding and batch size against a fresh `flowtune daemon` process,
// and the same bodies through the same client against a bare node:http server (the baseline).
// After the run the daemon is stopped and its store is counted: every call span must be stored once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { makeTempDir, spawnDaemonProcess, waitForExit } from '../support/daemonHarness';
import { startBareHttpServer } from './bareHttpServer';
import { generateSpanBatches, type OtlpEncoding, type SpanBatches } from './genaiSpans';
import { driveLoad, type LoadResult } from './loadClient';
import { spawnProfiledDaemon } from './profiledDaemon';
import { readCpuSeconds, readMemory, readThreadCpu, sampleMemory, threadCpuBetween } from './processStats';

export interface IngestCaseOptions {
  encoding: OtlpEncoding;
  batchSize: number;
  /** Spans in the timed part (after the warm-up). */
  measuredSpans: number;
  warmupSpans: number;
  seed: number;
  connections: number;
  inFlight: number;
  /** When set, the daemon runs with `--cpu-prof` and writes its profile here. */
  cpuProfileDir?: string;
  /** Skip the bare-HTTP baseline (profiling runs). */
  skipBaseline?: boolean;
}

export interface ServerFigures extends LoadResult {
  /** Resident set before the warm-up: the server's own footprint. */
  startRssMb: number;
  rssMb: number;
  hwmMb: number;
  /** VmRSS at the end split into anonymous, file-backed and shared memory. */
  anonMb: number;
  fileMb: number;
  shmemMb: number;
  peakSampledRssMb: number;
  cpuSeconds: number;
  cpuMicrosPerSpan: number;
  /** CPU µs per span of each busy thread, main thread first: user and system (kernel) time. */
  threadMicrosPerSpan: Array<{ user: number; system: number }>;
}

export interface IngestCaseResult {
  encoding: OtlpEncoding;
  batchSize: number;
  bodies: number;
  bytesPerSpan: number;
  callShare: number;
  generationSeconds: number;
  daemon: ServerFigures;
  baseline: ServerFigures | null;
  /** daemon spans/s ÷ bare-HTTP spans/s. */
  ratio: number | null;
  stored: { calls: number; steps: number; runs: number; expectedCalls: number };
  daemonStderrTail: string;
}

const OTLP_PATH = '/v1/traces';

function contentType(encoding: OtlpEncoding): string {
  return encoding === 'json' ? 'application/json' : 'application/x-protobuf';
}

/** A full success is `{}` in JSON and an empty message in protobuf; anything else is a partial success. */
function fullSuccessCheck(encoding: OtlpEncoding): (body: Buffer) => string | null {
  return (body) => {
    if (encoding === 'protobuf') return body.length === 0 ? null : `non-empty protobuf answer (${body.length} bytes): partial success`;
    const text = body.toString('utf8').trim();
    return text === '{}' ? null : `unexpected answer: ${text.slice(0, 300)}`;
  };
}

async function measure(
  pid: number,
  origin: string,
  headers: Record<string, string>,
  batches: SpanBatches,
  warmupBodies: number,
  options: IngestCaseOptions,
  check?: (body: Buffer) => string | null,
): Promise<ServerFigures> {
  const common = {
    origin,
    path: OTLP_PATH,
    headers,
    bodies: batches.bodies,
    spansPerBody: batches.spansPerBody,
    connections: options.connections,
    inFlight: options.inFlight,
    checkAnswer: check,
  };
  const startRssMb = readMemory(pid)?.rssMb ?? Number.NaN;
  if (warmupBodies > 0) {
    const warm = await driveLoad({ ...common, from: 0, to: warmupBodies });
    if (warm.failures > 0) throw new Error(`warm-up failed: ${warm.firstFailure}`);
  }
  const cpuBefore = readCpuSeconds(pid);
  const threadsBefore = readThreadCpu(pid);
  const sampler = sampleMemory(pid);
  const load = await driveLoad({ ...common, from: warmupBodies });
  const sampled = sampler.stop();
  const cpuSeconds = readCpuSeconds(pid) - cpuBefore;
  const threads = threadCpuBetween(pid, threadsBefore, readThreadCpu(pid));
  const perSpan = (seconds: number) => (seconds * 1e6) / Math.max(1, load.spans);
  const none = { rssMb: Number.NaN, hwmMb: Number.NaN, anonMb: Number.NaN, fileMb: Number.NaN, shmemMb: Number.NaN };
  const memory = readMemory(pid) ?? sampled.last ?? none;
  return {
    ...load,
    startRssMb,
    rssMb: memory.rssMb,
    hwmMb: memory.hwmMb,
    anonMb: memory.anonMb,
    fileMb: memory.fileMb,
    shmemMb: memory.shmemMb,
    peakSampledRssMb: sampled.peakSampledRssMb,
    cpuSeconds,
    cpuMicrosPerSpan: perSpan(cpuSeconds),
    threadMicrosPerSpan: threads.map((t) => ({ user: perSpan(t.userSeconds), system: perSpan(t.systemSeconds) })),
  };
}

function countStore(dataDir: string): { calls: number; steps: number; runs: number } {
  const db = new Database(path.join(dataDir, 'flowtune.db'), { readonly: true });
  try {
    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { calls: count('calls'), steps: count('steps'), runs: count('runs') };
  } finally {
    db.close();
  }
}

export async function runIngestCase(options: IngestCaseOptions): Promise<IngestCaseResult> {
  const generationStarted = performance.now();
  const batches = generateSpanBatches({
    encoding: options.encoding,
    totalSpans: options.warmupSpans + options.measuredSpans,
    batchSize: options.batchSize,
    seed: options.seed,
    endTimeMs: Date.now(),
  });
  const generationSeconds = (performance.now() - generationStarted) / 1000;
  const warmupBodies = Math.ceil(options.warmupSpans / options.batchSize);
  const type = contentType(options.encoding);

  let baseline: ServerFigures | null = null;
  if (!options.skipBaseline) {
    const bare = await startBareHttpServer();
    try {
      baseline = await measure(bare.pid, bare.origin, { 'content-type': type }, batches, warmupBodies, options);
    } finally {
      await bare.stop();
    }
  }

  const dataDir = path.join(makeTempDir('flowtune-bench-'), '.flowtune');
  const daemonProcess = options.cpuProfileDir
    ? await spawnProfiledDaemon(dataDir, options.cpuProfileDir)
    : await spawnDaemonProcess(dataDir);
  const { child, info } = daemonProcess;
  let daemon: ServerFigures;
  try {
    daemon = await measure(
      info.pid,
      `http://127.0.0.1:${info.port}`,
      { 'content-type': type, 'x-flowtune-token': info.token },
      batches,
      warmupBodies,
      options,
      fullSuccessCheck(options.encoding),
    );
  } finally {
    child.kill('SIGTERM');
    await waitForExit(child);
  }
  const stored = { ...countStore(dataDir), expectedCalls: batches.callSpans };
  fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  return {
    encoding: options.encoding,
    batchSize: options.batchSize,
    bodies: batches.bodies.length - warmupBodies,
    bytesPerSpan: batches.bytes / batches.spans,
    callShare: batches.callSpans / batches.spans,
    generationSeconds,
    daemon,
    baseline,
    ratio: baseline ? daemon.spansPerSecond / baseline.spansPerSecond : null,
    stored,
    daemonStderrTail: daemonProcess.stderr().split('\n').slice(-5).join('\n'),
  };
}
