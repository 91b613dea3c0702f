// Windowed (NAB-style) scores on the real labelled KPIs in ../shared/data/kpi/: Flowtune's stream
// scorer against a rolling robust z-score, a detector that never alarms and a random one with the
// same number of alarms as Flowtune, per series and overall, in the same run. Also: alarms per
// 1,000 points outside every incident window, alarm events (bursts merged), detection delay.
// Run alone: npx tsx test/bench/kpiBench.ts
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectKth } from '../../daemon/analysis/select';
import { scoreSeries, ALARM_THRESHOLD } from '../../daemon/analysis/streamScorer';
import { incidentStartsOf, windowedScore, windowsFromLabels, type IncidentWindow, type WindowedScore } from '../../daemon/analysis/windowedScore';
import { REPO_ROOT } from '../support/daemonHarness';

export const KPI_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'kpi');

export interface KpiSeries { name: string; timestamps: number[]; values: number[]; labels: number[] }

export function loadKpi(file: string): KpiSeries {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const s: KpiSeries = { name: path.basename(file, '.csv'), timestamps: [], values: [], labels: [] };
  for (const line of lines.slice(1)) {
    const [t, v, l] = line.split(',');
    s.timestamps.push(Number(t) * 1000);
    s.values.push(Number(v));
    s.labels.push(Number(l));
  }
  return s;
}

/** Rolling robust z: |x − median| / (1.4826·MAD) of the previous `window` points, alarm above `threshold` (Iglewicz–Hoaglin 3.5). */
export function rollingRobustZ(values: readonly number[], window = 200, threshold = 3.5): boolean[] {
  const out = new Array<boolean>(values.length).fill(false);
  const buf = new Float64Array(window);
  for (let i = 20; i < values.length; i += 1) {
    const from = Math.max(0, i - window);
    const m = i - from;
    for (let k = 0; k < m; k += 1) buf[k] = values[from + k];
    const med = selectKth(buf, m, m >> 1);
    for (let k = 0; k < m; k += 1) buf[k] = Math.abs(values[from + k] - med);
    const mad = 1.4826 * selectKth(buf, m, m >> 1);
    out[i] = mad > 0 ? Math.abs(values[i] - med) / mad > threshold : values[i] !== med;
  }
  return out;
}

/** Alarms at random points, `count` of them, seeded. */
export function randomAlarms(n: number, count: number, seed: number): boolean[] {
  let a = seed >>> 0;
  const u = () => { a = (Math.imul(a, 1664525) + 1013904223) >>> 0; return a / 4294967296; };
  const out = new Array<boolean>(n).fill(false);
  for (let k = 0; k < count; k += 1) out[Math.floor(u() * n)] = true;
  return out;
}

/** Alarm events: runs of alarms with fewer than `gap` quiet points between them count as one. */
export function alarmEvents(alarms: readonly boolean[], gap = 12): number {
  let events = 0;
  let last = -Infinity;
  alarms.forEach((a, i) => { if (a) { if (i - last > gap) events += 1; last = i; } });
  return events;
}

export interface DetectorRow { detector: string; score: WindowedScore; events: number; falseEvents: number }
export interface KpiSeriesResult { series: string; points: number; windows: number; rows: DetectorRow[]; ties: number; distinctScores: number }
export interface KpiBenchResult { series: KpiSeriesResult[]; overall: Array<{ detector: string; score: number; falsePer1000: number; falseEventsPer1000: number; detected: number; windows: number; medianDelay: number }> }

function falseEvents(alarms: readonly boolean[], windows: readonly IncidentWindow[]): number {
  const outside = alarms.map((a, i) => a && !windows.some((w) => i >= w.start && i <= w.end));
  return alarmEvents(outside);
}

export function runKpiBench(log: (line: string) => void = () => {}): KpiBenchResult {
  const files = fs.readdirSync(KPI_DIR).filter((f) => f.endsWith('.csv')).sort();
  const series: KpiSeriesResult[] = [];
  for (const file of files) {
    const s = loadKpi(path.join(KPI_DIR, file));
    const windows = windowsFromLabels(s.labels);
    const starts = incidentStartsOf(s.labels, windows);
    const scores = scoreSeries(s.values, s.timestamps);
    const flowtune = scores.map((x) => x >= ALARM_THRESHOLD);
    const alarmCount = flowtune.filter(Boolean).length;
    const detectors: Array<[string, boolean[]]> = [
      ['flowtune', flowtune],
      ['robust z (200, 3.5)', rollingRobustZ(s.values)],
      ['never', new Array<boolean>(s.values.length).fill(false)],
      ['random (same count)', randomAlarms(s.values.length, alarmCount, 17)],
    ];
    const rows = detectors.map(([detector, alarms]) => ({ detector, score: windowedScore(alarms, windows, undefined, starts), events: alarmEvents(alarms), falseEvents: falseEvents(alarms, windows) }));
    const distinct = new Set(scores.filter((x) => x > 0.05)).size;
    const counts = new Map<number, number>();
    for (const x of scores) if (x > 0.05) counts.set(x, (counts.get(x) ?? 0) + 1);
    const ties = [...counts.values()].reduce((a, c) => a + (c > 1 ? c : 0), 0);
    series.push({ series: s.name, points: s.values.length, windows: windows.length, rows, ties, distinctScores: distinct });
    for (const r of rows) {
      log(`  ${s.name.padEnd(32)} ${r.detector.padEnd(20)} score ${r.score.score.toFixed(1).padStart(6)}  windows ${r.score.detectedWindows}/${r.score.windows}  alarms ${r.score.alarms} (false ${r.score.falseAlarms}, ${(1000 * r.score.falseAlarms / r.score.normalPoints).toFixed(2)}/1000 normal; events ${r.events}, false events ${r.falseEvents})`);
    }
  }
  const names = series[0]?.rows.map((r) => r.detector) ?? [];
  const overall = names.map((detector) => {
    const rows = series.map((s) => s.rows.find((r) => r.detector === detector) as DetectorRow);
    const raw = rows.reduce((a, r) => a + r.score.raw, 0);
    const windows = rows.reduce((a, r) => a + r.score.windows, 0);
    // Overall: the summed raw scores normalised as one set (never = 0, perfect = 100), as NAB does.
    const perfect = rows.reduce((a, r) => a + r.score.windows * (2 / (1 + Math.exp(-5)) - 1), 0);
    const score = (100 * (raw + windows)) / (perfect + windows);
    const normal = rows.reduce((a, r) => a + r.score.normalPoints, 0);
    const fa = rows.reduce((a, r) => a + r.score.falseAlarms, 0);
    const fe = rows.reduce((a, r) => a + r.falseEvents, 0);
    const delays = rows.flatMap((r) => r.score.delays).sort((a, b) => a - b);
    return {
      detector, score, falsePer1000: (1000 * fa) / normal, falseEventsPer1000: (1000 * fe) / normal,
      detected: rows.reduce((a, r) => a + r.score.detectedWindows, 0), windows,
      medianDelay: delays.length > 0 ? delays[delays.length >> 1] : NaN,
    };
  });
  for (const o of overall) {
    log(`  ${'overall'.padEnd(32)} ${o.detector.padEnd(20)} score ${o.score.toFixed(1).padStart(6)}  windows ${o.detected}/${o.windows}  false alarms ${o.falsePer1000.toFixed(2)}/1000 normal points (events ${o.falseEventsPer1000.toFixed(2)}), median delay ${o.medianDelay} points`);
  }
  return { series, overall };
}

if (require.main === module) {
  runKpiBench((line) => process.stdout.write(`${line}\n`));
}
