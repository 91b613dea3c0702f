// The benchmark's output: markdown tables (to paste into an issue note) and the JSON record.
import type { KpiBenchResult } from './kpiBench';
import type { IngestCaseResult } from './ingestBench';
import type { QueryBenchResult, QueryComparison } from './queryBench';
import type { StageBreakdown } from './stageBreakdown';

export const TARGETS = {
  ingestSpansPerSecond: 50_000,
  daemonRssMb: 200,
  aggregateMs: 200,
  detectorPointsPerSecond: 1_000_000,
} as const;

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  commit: string;
  startedAt: string;
  /** /proc/loadavg (1, 5, 15 min) when the bench started and ended: other work on the machine skews wall-clock figures. */
  loadAtStart: number[];
  loadAtEnd: number[];
}

export interface DetectorResult {
  /** Points per CPU second of the scoring thread (one core). */
  pointsPerSecond: number;
  wallPointsPerSecond?: number;
  points?: number;
  seconds?: number;
  baselinePointsPerSecond?: number;
  kpi?: KpiBenchResult;
}

export interface BenchReport {
  machine: MachineInfo;
  totalSeconds: number;
  ingest: IngestCaseResult[];
  stages: StageBreakdown[];
  query: QueryBenchResult | null;
  /** null: detector.bench.ts is absent; 'skipped': --skip-detector. */
  detector: DetectorResult | { error: string } | 'skipped' | null;
  profile: string | null;
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '–');
const ms = (n: number) => (!Number.isFinite(n) ? '–' : n >= 100 ? `${n.toFixed(0)} ms` : n >= 10 ? `${n.toFixed(1)} ms` : `${n.toFixed(2)} ms`);
const ratio = (n: number | null) => (n === null || !Number.isFinite(n) ? '–' : n >= 10 ? `${n.toFixed(1)}×` : `${n.toFixed(2)}×`);
const verdict = (met: boolean) => (met ? 'met' : '**missed**');

function ingestTable(cases: IngestCaseResult[]): string[] {
  const lines = [
    '| OTLP ingest | spans | B/span | spans/s | spans/s first → last fifth | req/s | p50 | p99 | daemon CPU µs/span (per thread: user+kernel, main first) | RSS idle → end / peak (VmHWM) | bare HTTP spans/s (p99) | Flowtune / bare HTTP | target ≥ 50,000 spans/s, ≤ 200 MB |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of cases) {
    const d = c.daemon;
    const b = c.baseline;
    const met = d.spansPerSecond >= TARGETS.ingestSpansPerSecond && d.hwmMb <= TARGETS.daemonRssMb;
    const why = [
      d.spansPerSecond >= TARGETS.ingestSpansPerSecond ? null : `${(TARGETS.ingestSpansPerSecond / d.spansPerSecond).toFixed(1)}× too slow`,
      d.hwmMb <= TARGETS.daemonRssMb ? null : `RSS ${int(d.hwmMb)} MB`,
    ].filter(Boolean);
    lines.push(
      `| ${c.encoding} × ${c.batchSize} | ${int(d.spans)} | ${int(c.bytesPerSpan)} | **${int(d.spansPerSecond)}** | ${int(d.spansPerSecondFirstFifth)} → ${int(d.spansPerSecondLastFifth)} | ${int(d.requestsPerSecond)} | ${ms(d.latency.p50Ms)} | ${ms(d.latency.p99Ms)} | ${int(d.cpuMicrosPerSpan)} (${formatThreads(d.threadMicrosPerSpan)}) | ${int(d.startRssMb)} → ${int(d.rssMb)} / ${int(d.hwmMb)} MB | ${b ? `${int(b.spansPerSecond)} (${ms(b.latency.p99Ms)})` : '–'} | ${ratio(c.ratio)} | ${verdict(met)}${why.length ? ` (${why.join(', ')})` : ''} |`,
    );
  }
  return lines;
}

function stageTable(stages: StageBreakdown[]): string[] {
  if (stages.length === 0) return [];
  const lines = [
    '',
    'Where ingest time goes (in-process, same code as /v1/traces, no HTTP; CPU µs per span):',
    '',
    '| encoding | spans | decode | map spans | store write | total | 1-core ceiling spans/s | write µs/span first → last fifth | late-parent links |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of stages) {
    lines.push(
      `| ${s.encoding} × ${s.batchSize} | ${int(s.spans)} | ${s.decodeUs.toFixed(1)} | ${s.mapUs.toFixed(1)} | ${s.writeUs.toFixed(1)} | ${s.totalUs.toFixed(1)} | ${int(s.ceilingSpansPerSecond)} | ${s.writeUsFirstFifth.toFixed(0)} → ${s.writeUsLastFifth.toFixed(0)} | ${int(s.links)} |`,
    );
  }
  return lines;
}

function queryRow(label: string, q: QueryComparison, targetMs?: number): string {
  const f = q.flowtune;
  const target = targetMs === undefined ? '' : `${verdict(f.medianMs <= targetMs)} (≤ ${targetMs} ms)`;
  return `| ${label} | **${ms(f.medianMs)}** (CPU ${ms(f.cpuMedianMs)}; first ${ms(f.firstMs)}; ${f.runs} runs) | ${q.baseline ? ms(q.baseline.medianMs) : '–'} | ${ratio(q.ratio)} | ${q.withoutQuantiles ? ms(q.withoutQuantiles.medianMs) : '–'} | ${q.rollupSumsOnly ? ms(q.rollupSumsOnly.medianMs) : '–'} | ${f.rows} | ${target} |`;
}

function queryTable(q: QueryBenchResult): string[] {
  return [
    '',
    `Store: ${int(q.calls)} calls over ${q.days} days (20 workers × 3 models × 2 prompt versions), filled through BatchWriter in batches of ${int(q.fill.batchSize)}: ` +
      `**${int(q.fill.callsPerSecond)} calls/s** (${q.fill.seconds.toFixed(1)} s wall, ${q.fill.cpuSeconds.toFixed(1)} s CPU), ` +
      `${int(q.fill.dbSizeMb)} MB on disk, ${int(q.fill.rollupRows)} hourly rollup rows, mean latency sketch ${int(q.fill.meanSketchBytes)} B. ` +
      `Check: aggregate counts ${int(q.check.aggregateCalls)} calls, raw COUNT(*) ${int(q.check.rawCalls)}.`,
    '',
    '| query | Flowtune median wall | raw SQL over calls (baseline) | Flowtune / raw | aggregateWorkers { quantiles: false } | rollup SQL sums only | rows | target |',
    '|---|---|---|---|---|---|---|---|',
    queryRow('aggregateWorkers, all workers, last 7 days', q.aggregate7d, TARGETS.aggregateMs),
    queryRow('aggregateWorkers, all workers, last 30 days', q.aggregate30d, TARGETS.aggregateMs),
    queryRow('workerTimeSeries, one worker, 30 days hourly', q.series30dHourly),
    queryRow('recentCalls, one worker, 50 newest', q.recentCalls),
  ];
}

function detectorLines(detector: BenchReport['detector']): string[] {
  if (detector === 'skipped') return [];
  if (detector === null) return ['', 'Detector: test/bench/detector.bench.ts not present, skipped.'];
  if ('error' in detector) return ['', `Detector: failed: ${detector.error}`];
  const lines = [
    '',
    '| detector (scoreSeries) | points | points per CPU second | per wall second | rolling robust z (same stream) | target |',
    '|---|---|---|---|---|---|',
    `| 1 seeded series | ${detector.points !== undefined ? int(detector.points) : '–'} | **${int(detector.pointsPerSecond)}** | ${detector.wallPointsPerSecond !== undefined ? int(detector.wallPointsPerSecond) : '–'} | ${detector.baselinePointsPerSecond !== undefined ? int(detector.baselinePointsPerSecond) : '–'} | ${verdict(detector.pointsPerSecond >= TARGETS.detectorPointsPerSecond)} (≥ 1,000,000) |`,
  ];
  const kpi = detector.kpi;
  if (!kpi) return lines;
  lines.push('', 'Windowed (NAB-style) scores on the labelled KPIs (never alarming = 0, perfect = 100; false alarms per 1,000 points outside every window; events merge alarms closer than 12 points):', '',
    '| series | detector | score | windows found | false alarms /1,000 | false events /1,000 |', '|---|---|---|---|---|---|');
  for (const s of kpi.series) {
    for (const r of s.rows) {
      lines.push(`| ${s.series} | ${r.detector} | ${r.score.score.toFixed(1)} | ${r.score.detectedWindows}/${r.score.windows} | ${(1000 * r.score.falseAlarms / r.score.normalPoints).toFixed(2)} | ${(1000 * r.falseEvents / r.score.normalPoints).toFixed(2)} |`);
    }
  }
  for (const o of kpi.overall) {
    lines.push(`| **overall** | ${o.detector} | **${o.score.toFixed(1)}** | ${o.detected}/${o.windows} | ${o.falsePer1000.toFixed(2)} | ${o.falseEventsPer1000.toFixed(2)} |`);
  }
  const f = kpi.overall.find((o) => o.detector === 'flowtune');
  if (f) lines.push('', `Flowtune median detection delay: ${f.medianDelay} points after the labelled start.`);
  return lines;
}

export function formatReport(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `### Flowtune benchmark (${m.startedAt}, commit ${m.commit})`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, Node ${m.node}; load average at start ${m.loadAtStart.join(' ')}, at end ${m.loadAtEnd.join(' ')} ` +
      `(other processes share these cores: wall-clock rates are lower bounds, CPU µs/span is the steadier figure). Bench took ${report.totalSeconds.toFixed(0)} s.`,
    '',
  ];
  if (report.ingest.length > 0) {
    const c = report.ingest[0];
    lines.push(
      `Ingest: realistic Traceloop-style traces (workflow → worker tasks → chat spans with 20 gen_ai attributes and ~1 KB of messages; ` +
        `${(c.callShare * 100).toFixed(0)}% of spans are model calls), unique ids, exported in end order (a child can precede its parent across batches), ` +
        `POST /v1/traces over ${c.daemon.requests > 0 ? 'an undici Pool' : '–'} with a fixed number of requests in flight, each case against a fresh daemon process after a warm-up; ` +
        `the baseline is a bare node:http server answering {} to the same bodies from the same client.`,
      '',
      ...ingestTable(report.ingest),
    );
    const stored = report.ingest.map((r) => `${r.encoding}×${r.batchSize}: ${int(r.stored.calls)}/${int(r.stored.expectedCalls)} calls stored`);
    lines.push('', `Stored after each run (daemon stopped, store counted): ${stored.join('; ')}.`);
  }
  lines.push(...stageTable(report.stages));
  if (report.query) lines.push(...queryTable(report.query));
  lines.push(...detectorLines(report.detector));
  if (report.profile) lines.push('', '```', report.profile, '```');
  return lines.join('\n');
}

/** "main 30+6, 19+1, 1+6, …": user+system µs/span per thread, main thread first, the busiest five. */
export function formatThreads(threads: Array<{ user: number; system: number }>): string {
  return threads
    .slice(0, 5)
    .map((t, i) => `${i === 0 ? 'main ' : ''}${t.user.toFixed(0)}+${t.system.toFixed(0)}`)
    .join(', ');
}
