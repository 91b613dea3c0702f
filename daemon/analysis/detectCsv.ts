// `flowtune detect --input series.csv [--output out.csv]`: reads `timestamp,value` rows (header
// optional; ISO-8601 or epoch seconds/milliseconds), writes `timestamp,value,anomaly_score` with
// each row scored causally by the stream scorer. The only file I/O in the analysis layer.
import { readFileSync, writeFileSync } from 'node:fs';
import { scoreSeries } from './streamScorer';

export interface SeriesRow {
  /** The timestamp exactly as written, echoed back unchanged. */
  timestampText: string;
  /** Milliseconds since the epoch, NaN when unparseable. */
  timestampMs: number;
  valueText: string;
  value: number;
}

/** Epoch seconds below 1e11 (until year 5138), milliseconds above; otherwise Date.parse. */
export function parseTimestamp(text: string): number {
  const t = text.trim();
  if (/^[-+]?\d+(\.\d+)?$/.test(t)) {
    const x = Number(t);
    return Math.abs(x) < 1e11 ? x * 1000 : x;
  }
  // "2014-04-01 00:00:00" (NAB style) lacks the T and zone: read it as UTC.
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(t) && !/[zZ]|[+-]\d{2}:?\d{2}$/.test(t) ? `${t.replace(' ', 'T')}Z` : t;
  return Date.parse(iso);
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i += 1; } else if (ch === '"') quoted = false; else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Parses the CSV text. A first row whose value column is not numeric is taken as the header. */
export function parseSeriesCsv(text: string): SeriesRow[] {
  const lines = text.split(/\r?\n/);
  const rows: SeriesRow[] = [];
  let first = true;
  let tsCol = 0;
  let valCol = 1;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const cells = splitCsvLine(line);
    if (first) {
      first = false;
      const lower = cells.map((c) => c.trim().toLowerCase());
      const looksHeader = cells.length >= 2 && !Number.isFinite(Number(cells[1].trim())) && cells[1].trim() !== '';
      if (looksHeader) {
        const t = lower.findIndex((c) => c === 'timestamp' || c === 'time' || c === 'date' || c === 'ts');
        const v = lower.findIndex((c) => c === 'value' || c === 'val' || c === 'y');
        if (t >= 0) tsCol = t;
        if (v >= 0) valCol = v;
        continue;
      }
    }
    if (cells.length === 1) {
      // A bare value column: no timestamp.
      rows.push({ timestampText: '', timestampMs: NaN, valueText: cells[0].trim(), value: parseValue(cells[0]) });
      continue;
    }
    const timestampText = (cells[tsCol] ?? '').trim();
    const valueText = (cells[valCol] ?? '').trim();
    rows.push({ timestampText, timestampMs: parseTimestamp(timestampText), valueText, value: parseValue(valueText) });
  }
  return rows;
}

function parseValue(text: string): number {
  const t = text.trim();
  if (t === '' || /^(nan|null|none|na)$/i.test(t)) return NaN;
  return Number(t);
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Scores parsed rows: NaN values score 0 and are skipped by the baseline. */
export function scoreRows(rows: readonly SeriesRow[]): number[] {
  return scoreSeries(rows.map((r) => r.value), rows.map((r) => r.timestampMs));
}

export function formatScoredCsv(rows: readonly SeriesRow[], scores: readonly number[]): string {
  const out: string[] = ['timestamp,value,anomaly_score'];
  rows.forEach((r, i) => {
    const s = Math.min(1, Math.max(0, Number.isFinite(scores[i]) ? scores[i] : 0));
    out.push(`${csvCell(r.timestampText)},${csvCell(r.valueText)},${Number(s.toFixed(6))}`);
  });
  return `${out.join('\n')}\n`;
}

/** Reads inputPath, writes the scored CSV to outputPath, or to stdout when no output path is given. */
export function runDetect(inputPath: string, outputPath?: string): { rows: number } {
  const rows = parseSeriesCsv(readFileSync(inputPath, 'utf8'));
  const text = formatScoredCsv(rows, scoreRows(rows));
  if (outputPath) writeFileSync(outputPath, text);
  else process.stdout.write(text);
  return { rows: rows.length };
}
