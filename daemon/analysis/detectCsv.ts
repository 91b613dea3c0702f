// `flowtune detect --input series.csv [--output out.csv]`: reads `timestamp,value` rows (header
// optional; ISO-8601 or epoch seconds/milliseconds), writes `timestamp,value,anomaly_score` with
// each row scored causally by the stream scorer, at full precision. The input is streamed line by
// line (any length of file in constant memory); a malformed row stops the run with an error naming
// its line, and an existing output file is only replaced once the whole input has been scored.
// The only file I/O in the analysis layer.
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { StreamScorer } from './streamScorer';

export interface SeriesRow {
  /** The timestamp exactly as written, echoed back unchanged. */
  timestampText: string;
  /** Milliseconds since the epoch, NaN without a timestamp column. */
  timestampMs: number;
  valueText: string;
  /** NaN for a blank or explicitly missing value (nan, null, none, na). */
  value: number;
}

/** A row that cannot be read: the message names the line (1-based) and what is wrong. */
export class DetectInputError extends Error {
  constructor(readonly line: number, problem: string) {
    super(`line ${line}: ${problem}`);
    this.name = 'DetectInputError';
  }
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

const MISSING = /^(nan|null|none|na)$/i;

/**
 * Reads rows one line at a time. A first row whose value column is not numeric is the header
 * (it may name the columns: timestamp/time/date/ts and value/val/y). Every later row must have
 * a readable timestamp and a number or a blank/missing marker as its value.
 */
export class SeriesRowReader {
  private first = true;
  private tsCol = 0;
  private valCol = 1;
  private width = 0;

  /** The row on this line, null for a blank line or the header; throws DetectInputError when malformed. */
  read(line: string, lineNo: number): SeriesRow | null {
    if (line.trim() === '') return null;
    const cells = splitCsvLine(line);
    if (this.first) {
      this.first = false;
      this.width = cells.length;
      const looksHeader = cells.length >= 2 && !Number.isFinite(Number(cells[1].trim())) && cells[1].trim() !== '' && !MISSING.test(cells[1].trim());
      if (looksHeader) {
        const lower = cells.map((c) => c.trim().toLowerCase());
        const t = lower.findIndex((c) => c === 'timestamp' || c === 'time' || c === 'date' || c === 'ts');
        const v = lower.findIndex((c) => c === 'value' || c === 'val' || c === 'y');
        if (t >= 0) this.tsCol = t;
        if (v >= 0) this.valCol = v;
        return null;
      }
    }
    if (this.width === 1) {
      // A bare value column: no timestamps.
      if (cells.length !== 1) throw new DetectInputError(lineNo, `expected 1 column (value), found ${cells.length}`);
      return { timestampText: '', timestampMs: NaN, valueText: cells[0].trim(), value: parseValue(cells[0], lineNo) };
    }
    if (cells.length <= Math.max(this.tsCol, this.valCol)) {
      throw new DetectInputError(lineNo, `expected a timestamp and a value, found ${cells.length} column${cells.length === 1 ? '' : 's'}: "${clip(line)}"`);
    }
    const timestampText = cells[this.tsCol].trim();
    const timestampMs = parseTimestamp(timestampText);
    if (!Number.isFinite(timestampMs)) throw new DetectInputError(lineNo, `timestamp "${clip(timestampText)}" is not ISO-8601 or epoch seconds/milliseconds`);
    const valueText = cells[this.valCol].trim();
    return { timestampText, timestampMs, valueText, value: parseValue(valueText, lineNo) };
  }
}

function parseValue(text: string, lineNo: number): number {
  const t = text.trim();
  if (t === '' || MISSING.test(t)) return NaN;
  const x = Number(t);
  if (!Number.isFinite(x)) throw new DetectInputError(lineNo, `value "${clip(t)}" is not a number (leave it blank for a missing point)`);
  return x;
}

const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);

/** Parses a whole CSV text (tests and small inputs); the CLI streams through SeriesRowReader. */
export function parseSeriesCsv(text: string): SeriesRow[] {
  const reader = new SeriesRowReader();
  const rows: SeriesRow[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const row = reader.read(line, i + 1);
    if (row) rows.push(row);
  });
  return rows;
}

/** Scores parsed rows: missing values score 0 and are skipped by the models. */
export function scoreRows(rows: readonly SeriesRow[]): number[] {
  const scorer = new StreamScorer();
  return rows.map((r) => scorer.update(r.value, r.timestampMs));
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const SCORED_HEADER = 'timestamp,value,anomaly_score';

/** One output line; the score at full precision (the shortest text that reads back to the same double). */
export function formatScoredRow(r: SeriesRow, score: number): string {
  const s = Math.min(1, Math.max(0, Number.isFinite(score) ? score : 0));
  return `${csvCell(r.timestampText)},${csvCell(r.valueText)},${String(s)}`;
}

export function formatScoredCsv(rows: readonly SeriesRow[], scores: readonly number[]): string {
  const out: string[] = [SCORED_HEADER];
  rows.forEach((r, i) => out.push(formatScoredRow(r, scores[i])));
  return `${out.join('\n')}\n`;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/**
 * Streams inputPath through the scorer to outputPath (via a temporary file renamed at the end, so a
 * failed run leaves an existing output untouched), or to `stdout` when no output path is given.
 */
export async function runDetect(inputPath: string, outputPath?: string, stdout: Writable = process.stdout): Promise<{ rows: number }> {
  const input = createReadStream(inputPath, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  const partial = outputPath ? `${outputPath}.partial-${process.pid}` : null;
  const out = partial ? createWriteStream(partial) : stdout;
  const reader = new SeriesRowReader();
  const scorer = new StreamScorer();
  let rows = 0;
  let lineNo = 0;
  // Lines are batched into one write each so that a large file is not a million small writes.
  let batch = `${SCORED_HEADER}\n`;
  try {
    for await (const line of lines) {
      lineNo += 1;
      const row = reader.read(line, lineNo);
      if (!row) continue;
      batch += `${formatScoredRow(row, scorer.update(row.value, row.timestampMs))}\n`;
      rows += 1;
      if (batch.length >= 65536) { await write(out, batch); batch = ''; }
    }
    await write(out, batch);
    if (partial) {
      out.end();
      await once(out, 'finish');
      renameSync(partial, outputPath as string);
    }
    return { rows };
  } catch (error) {
    input.destroy();
    if (partial) {
      out.destroy();
      rmSync(partial, { force: true });
    }
    throw error;
  }
}
