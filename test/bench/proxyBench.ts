// Proxy overhead bench (issue 3): the same local upstream called directly and through the daemon's
// proxy, in the same run, open-loop at fixed arrival rates. Added latency = proxied percentile minus
// direct percentile (non-streamed: whole response; streamed: first SSE event). Then the daemon's
// resident memory across a 100,000-request run. Three processes: the daemon (the built CLI), the
// upstream (proxyBenchUpstream.ts) and this one, the load generator.
//
// Standalone: npx tsx test/bench/proxyBench.ts [--seconds 6] [--rates 200,1000] [--memory-requests 100000]
// [--memory-rate 1000] [--profile DIR] [--cli path/to/flowtune.js] [--json FILE]
// (needs `npm run build`). `--profile DIR` runs the daemon under `node --cpu-prof` (figures then
// include the profiler's cost; use it to find hot spots, not for the table).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import type { DaemonInfo } from '../../daemon/daemonFile';
import { CLI_PATH, REPO_ROOT, makeTempDir, spawnDaemonProcess, waitForExit, type DaemonProcess } from '../support/daemonHarness';
import { latencyFigures, runOpenLoop, type LatencyFigures, type Target } from './proxyBenchLoad';

export const PROXY_TARGETS = { addedP50Ms: 1, addedP99Ms: 5, rate: 1000 };

export interface OverheadCase {
  mode: 'json' | 'stream';
  rate: number;
  /** Non-streamed: whole-response latency; streamed: time to the first SSE event. */
  direct: LatencyFigures;
  proxied: LatencyFigures;
  addedP50Ms: number;
  addedP99Ms: number;
  failures: number;
  firstFailure: string | null;
  /** Daemon CPU time per proxied request in this case (µs), from /proc. */
  daemonCpuUsPerRequest: number;
  /** Worst lateness of the load generator against its schedule (ms). */
  maxSendLagMs: number;
  loadavg: string;
}

export interface MemoryRun {
  requests: number;
  rate: number;
  /** [requests sent, VmRSS MB] pairs across the run. */
  samples: Array<[number, number]>;
  startMb: number;
  middleMb: number;
  endMb: number;
  peakMb: number;
  /** Least-squares slope of RSS over the second half of the run, MB per 10,000 requests. */
  slopeMbPer10k: number;
  /** [min, max] RSS (MB) over each half: V8 and SQLite make RSS a sawtooth, so flat means the second band is not above the first. */
  firstHalfMb: [number, number];
  secondHalfMb: [number, number];
  proxied: LatencyFigures;
  failures: number;
  seconds: number;
  loadavg: string;
}

export interface ProxyBenchResult {
  cases: OverheadCase[];
  memory: MemoryRun | null;
  /** Calls the daemon stored for the bench worker after shutdown, against proxied requests sent. */
  stored: { calls: number; expected: number };
  machine: { cpus: number; node: string; loadavgStart: string; loadavgEnd: string };
  totalSeconds: number;
  markdown: string;
}

export interface ProxyBenchOptions {
  /** Seconds of load per target and case (each case alternates direct and proxied blocks of 1 s). */
  seconds?: number;
  memoryRequests?: number;
  memoryRate?: number;
  /** Arrival rates to measure (requests/s per side). */
  rates?: number[];
  profileDir?: string;
  /** Another build of bin/flowtune.js (default: this checkout's). */
  cliPath?: string;
  log?: (line: string) => void;
}

const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** User + system CPU seconds of a process (clock ticks are 100 per second on Linux). */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function startUpstream(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'proxyBenchUpstream.ts')], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (part: Buffer) => {
      out += part.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve({ child, port: (JSON.parse(line) as { port: number }).port });
    });
    child.once('exit', (code) => reject(new Error(`bench upstream exited with ${code}`)));
  });
}

/**
 * A daemon with Node flags (`--cpu-prof`: Node refuses it in NODE_OPTIONS, so the harness cannot
 * pass it) or from another build of the CLI (to compare two versions on the same machine minutes).
 */
async function spawnBenchDaemon(dataDir: string, upstream: string, nodeArgs: string[], cliPath: string): Promise<DaemonProcess> {
  const child = spawn(process.execPath, [...nodeArgs, cliPath, 'daemon', '--port', '0', '--data-dir', dataDir, '--upstream', upstream], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (part: Buffer) => (stderr += part.toString()));
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}: ${stderr}`);
    try {
      const info = JSON.parse(fs.readFileSync(path.join(dataDir, 'daemon.json'), 'utf8')) as DaemonInfo;
      if (info.pid === child.pid) return { child, info, stderr: () => stderr };
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`daemon did not become ready: ${stderr}`);
}

const REQUEST = { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say hello to the bench.' }], temperature: 0 };
const JSON_BODY = Buffer.from(JSON.stringify(REQUEST));
const STREAM_BODY = Buffer.from(JSON.stringify({ ...REQUEST, stream: true }));

function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? Number.NaN : sxy / sxx;
}

function band(points: Array<[number, number]>): [number, number] {
  const values = points.map(([, mb]) => mb);
  return [Math.min(...values), Math.max(...values)];
}

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');

export function formatProxyReport(result: Omit<ProxyBenchResult, 'markdown'>): string {
  const lines = [
    '### Proxy overhead (direct vs proxied, same upstream, same run, open loop)',
    '',
    `Target at ${PROXY_TARGETS.rate} req/s: added p50 ≤ ${PROXY_TARGETS.addedP50Ms} ms, added p99 ≤ ${PROXY_TARGETS.addedP99Ms} ms. ` +
      `${result.machine.cpus} CPUs shared by daemon, upstream and load generator; Node ${result.machine.node}.`,
    '',
    '| case | rate (req/s) | direct p50 / p99 (ms) | proxied p50 / p99 (ms) | added p50 (ms) | added p99 (ms) | daemon CPU (µs/req) | n per side | failures | loadavg |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const c of result.cases) {
    const label = c.mode === 'json' ? 'non-streamed, latency' : 'streamed, TTFT';
    const meets = c.rate === PROXY_TARGETS.rate ? (c.addedP50Ms <= PROXY_TARGETS.addedP50Ms && c.addedP99Ms <= PROXY_TARGETS.addedP99Ms ? ' ✓' : ' ✗') : '';
    lines.push(
      `| ${label}${meets} | ${c.rate} | ${ms(c.direct.p50)} / ${ms(c.direct.p99)} | ${ms(c.proxied.p50)} / ${ms(c.proxied.p99)} | ${ms(c.addedP50Ms)} | ${ms(c.addedP99Ms)} | ` +
        `${c.daemonCpuUsPerRequest.toFixed(0)} | ${Math.min(c.direct.n, c.proxied.n)} | ${c.failures} | ${c.loadavg} |`,
    );
  }
  const m = result.memory;
  if (m) {
    lines.push(
      '',
      `Daemon memory across ${m.requests.toLocaleString('en')} proxied requests at ${m.rate} req/s (half streamed, ${m.seconds.toFixed(0)} s, loadavg ${m.loadavg}): ` +
        `RSS ${m.startMb.toFixed(0)} MB at the start, ${m.middleMb.toFixed(0)} MB in the middle, ${m.endMb.toFixed(0)} MB at the end (peak ${m.peakMb.toFixed(0)} MB); ` +
        `range ${m.firstHalfMb.map((v) => v.toFixed(0)).join('–')} MB over the first half and ${m.secondHalfMb.map((v) => v.toFixed(0)).join('–')} MB over the second; ` +
        `slope over the second half ${m.slopeMbPer10k.toFixed(2)} MB per 10,000 requests; proxied latency p50 ${ms(m.proxied.p50)} ms, p99 ${ms(m.proxied.p99)} ms; failures ${m.failures}.`,
    );
  }
  lines.push('', `Stored calls: ${result.stored.calls.toLocaleString('en')} of ${result.stored.expected.toLocaleString('en')} proxied requests. Load average ${result.machine.loadavgStart} → ${result.machine.loadavgEnd}.`);
  return lines.join('\n');
}

export async function benchProxy(options: ProxyBenchOptions = {}): Promise<ProxyBenchResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const seconds = options.seconds ?? 6;
  const memoryRequests = options.memoryRequests ?? 100_000;
  const memoryRate = options.memoryRate ?? 1000;
  const rates = options.rates ?? [200, 1000];
  const started = performance.now();
  const loadavgStart = loadavg();
  const upstream = await startUpstream();
  const upstreamOrigin = `http://127.0.0.1:${upstream.port}`;
  const dataDir = path.join(makeTempDir('flowtune-proxy-bench-'), '.flowtune');
  let daemon: DaemonProcess | null = null;
  const pools: Pool[] = [];
  try {
    if (options.profileDir) fs.mkdirSync(options.profileDir, { recursive: true });
    const nodeArgs = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
    daemon =
      nodeArgs.length > 0 || options.cliPath
        ? await spawnBenchDaemon(dataDir, `${upstreamOrigin}/v1`, nodeArgs, options.cliPath ?? CLI_PATH)
        : await spawnDaemonProcess(dataDir, ['--upstream', `${upstreamOrigin}/v1`]);
    const pid = daemon.child.pid as number;
    const poolOptions = { connections: 64, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 };
    const directPool = new Pool(upstreamOrigin, poolOptions);
    const proxyPool = new Pool(`http://127.0.0.1:${daemon.info.port}`, poolOptions);
    pools.push(directPool, proxyPool);
    const clientHeaders = { 'content-type': 'application/json', authorization: 'Bearer sk-bench-0123456789abcdefghijklmnop' };
    const proxyHeaders = { ...clientHeaders, 'x-flowtune-token': daemon.info.token, 'x-flowtune-worker': 'bench' };
    const target = (name: string, proxied: boolean, body: Buffer): Target => ({
      name,
      pool: proxied ? proxyPool : directPool,
      path: proxied ? '/openai/v1/chat/completions' : '/v1/chat/completions',
      headers: proxied ? proxyHeaders : clientHeaders,
      body,
    });
    let proxiedSent = 0;

    log('proxy bench: warm-up (2,000 requests each way)…');
    for (const body of [JSON_BODY, STREAM_BODY]) {
      await runOpenLoop({ rate: 1000, requests: 2000, blockSize: 100, targets: [target('direct', false, body), target('proxied', true, body)] });
      proxiedSent += 1000;
    }

    const cases: OverheadCase[] = [];
    for (const mode of ['json', 'stream'] as const) {
      for (const rate of rates) {
        const body = mode === 'json' ? JSON_BODY : STREAM_BODY;
        const cpuBefore = cpuSeconds(pid);
        const run = await runOpenLoop({ rate, requests: 2 * rate * seconds, blockSize: rate, targets: [target('direct', false, body), target('proxied', true, body)] });
        const cpuAfter = cpuSeconds(pid);
        proxiedSent += rate * seconds;
        const d = run.byTarget.get('direct');
        const p = run.byTarget.get('proxied');
        if (!d || !p) throw new Error('missing samples');
        const pick = (s: { firstByteMs: number; totalMs: number }) => (mode === 'json' ? s.totalMs : s.firstByteMs);
        const direct = latencyFigures(d.samples.map(pick));
        const proxied = latencyFigures(p.samples.map(pick));
        const c: OverheadCase = {
          mode,
          rate,
          direct,
          proxied,
          addedP50Ms: proxied.p50 - direct.p50,
          addedP99Ms: proxied.p99 - direct.p99,
          failures: d.failures + p.failures,
          firstFailure: d.firstFailure ?? p.firstFailure,
          daemonCpuUsPerRequest: ((cpuAfter - cpuBefore) * 1e6) / (rate * seconds),
          maxSendLagMs: run.maxSendLagMs,
          loadavg: loadavg(),
        };
        cases.push(c);
        log(
          `  ${mode} @ ${rate}/s: direct p50 ${ms(direct.p50)} p99 ${ms(direct.p99)} | proxied p50 ${ms(proxied.p50)} p99 ${ms(proxied.p99)} | ` +
            `added p50 ${ms(c.addedP50Ms)} p99 ${ms(c.addedP99Ms)} | daemon ${c.daemonCpuUsPerRequest.toFixed(0)} µs/req | send lag max ${ms(c.maxSendLagMs)} | failures ${c.failures}` +
            `${c.firstFailure ? ` (${c.firstFailure})` : ''} | loadavg ${c.loadavg}`,
        );
      }
    }

    let memory: MemoryRun | null = null;
    if (memoryRequests > 0) {
      log(`proxy bench: daemon memory across ${memoryRequests.toLocaleString('en')} proxied requests at ${memoryRate}/s…`);
      const samples: Array<[number, number]> = [[0, rssMb(pid)]];
      const every = Math.max(1000, Math.floor(memoryRequests / 40));
      const run = await runOpenLoop({
        rate: memoryRate,
        requests: memoryRequests,
        blockSize: 1,
        targets: [target('proxied-json', true, JSON_BODY), target('proxied-stream', true, STREAM_BODY)],
        progressEvery: every,
        onProgress: (sent) => samples.push([sent, rssMb(pid)]),
      });
      proxiedSent += memoryRequests;
      samples.push([memoryRequests, rssMb(pid)]);
      const at = (fraction: number) => samples.reduce((best, s) => (Math.abs(s[0] - fraction * memoryRequests) < Math.abs(best[0] - fraction * memoryRequests) ? s : best))[1];
      const json = run.byTarget.get('proxied-json');
      const stream = run.byTarget.get('proxied-stream');
      memory = {
        requests: memoryRequests,
        rate: memoryRate,
        samples,
        startMb: at(0),
        middleMb: at(0.5),
        endMb: at(1),
        peakMb: Math.max(...samples.map((s) => s[1])),
        slopeMbPer10k: slope(samples.filter(([sent]) => sent >= memoryRequests / 2)) * 10_000,
        firstHalfMb: band(samples.filter(([sent]) => sent > 0 && sent < memoryRequests / 2)),
        secondHalfMb: band(samples.filter(([sent]) => sent >= memoryRequests / 2)),
        proxied: latencyFigures([...(json?.samples ?? []).map((s) => s.totalMs), ...(stream?.samples ?? []).map((s) => s.firstByteMs)]),
        failures: (json?.failures ?? 0) + (stream?.failures ?? 0),
        seconds: run.seconds,
        loadavg: loadavg(),
      };
      log(`  RSS ${memory.startMb.toFixed(0)} → ${memory.middleMb.toFixed(0)} → ${memory.endMb.toFixed(0)} MB, halves ${memory.firstHalfMb.map((v) => v.toFixed(0)).join('–')} / ${memory.secondHalfMb.map((v) => v.toFixed(0)).join('–')} MB, slope ${memory.slopeMbPer10k.toFixed(2)} MB/10k, failures ${memory.failures}, loadavg ${memory.loadavg}`);
    }

    for (const pool of pools.splice(0)) await pool.close();
    daemon.child.kill('SIGTERM');
    await waitForExit(daemon.child);
    daemon = null;
    const db = new Database(path.join(dataDir, 'flowtune.db'), { readonly: true });
    const calls = (db.prepare("SELECT COUNT(*) AS n FROM calls WHERE worker = 'bench'").get() as { n: number }).n;
    db.close();
    const partial = {
      cases,
      memory,
      stored: { calls, expected: proxiedSent },
      machine: { cpus: os.cpus().length, node: process.versions.node, loadavgStart, loadavgEnd: loadavg() },
      totalSeconds: (performance.now() - started) / 1000,
    };
    return { ...partial, markdown: formatProxyReport(partial) };
  } finally {
    for (const pool of pools) await pool.close();
    if (daemon) {
      daemon.child.kill('SIGTERM');
      await waitForExit(daemon.child);
    }
    upstream.child.kill('SIGTERM');
    await waitForExit(upstream.child);
    fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  }
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '6' },
      'memory-requests': { type: 'string', default: '100000' },
      'memory-rate': { type: 'string', default: '1000' },
      rates: { type: 'string', default: '200,1000' },
      profile: { type: 'string' },
      cli: { type: 'string' },
      json: { type: 'string' },
    },
  });
  benchProxy({ seconds: Number(values.seconds), memoryRequests: Number(values['memory-requests']), memoryRate: Number(values['memory-rate']), rates: values.rates.split(',').map(Number), profileDir: values.profile, cliPath: values.cli })
    .then((result) => {
      process.stdout.write(`\n${result.markdown}\n\ntotal ${result.totalSeconds.toFixed(0)} s\n`);
      if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(`proxy bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    });
}
