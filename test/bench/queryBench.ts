// Query time over a large store: fill a data-dir store with a month of synthetic calls through the
// BatchWriter (reporting the fill rate), reopen it (cold SQLite page cache; the OS cache stays warm)
// and time the read side the analysis and the editor use, against a raw GROUP BY over the calls
// table computing the same counts and sums (no quantiles) as the baseline.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Database from 'better-sqlite3';
import { BatchWriter } from '../../daemon/store/batchWriter';
import { openStore, STORE_FILE_NAME } from '../../daemon/store/connection';
import { HOUR_MS } from '../../daemon/store/rollupKey';
import { aggregateWorkers, recentCalls, workerTimeSeries } from '../../daemon/store/workerQueries';
import { makeTempDir } from '../support/daemonHarness';
import { SYNTHETIC_WORKERS, syntheticCallBatches } from './syntheticCalls';

const DAY_MS = 86_400_000;

export interface QueryBenchOptions {
  calls: number;
  days: number;
  batchSize: number;
  seed: number;
  repeats: number;
  log: (line: string) => void;
}

export interface QueryTiming {
  name: string;
  /** First run after reopening the store. */
  firstMs: number;
  medianMs: number;
  minMs: number;
  /** Median CPU time of this process per run: steadier than wall time when other work shares the cores. */
  cpuMedianMs: number;
  runs: number;
  rows: number;
}

export interface QueryComparison {
  flowtune: QueryTiming;
  baseline: QueryTiming | null;
  /** flowtune median ÷ baseline median (below 1: faster than the raw scan). */
  ratio: number | null;
  /** The same window's rollup rows summed in SQL without sketches: what the counts and sums alone cost. */
  rollupSumsOnly?: QueryTiming;
  /** aggregateWorkers with { quantiles: false }: counts, sums and means without merging sketches. */
  withoutQuantiles?: QueryTiming;
}

export interface QueryBenchResult {
  calls: number;
  days: number;
  fill: {
    seconds: number;
    cpuSeconds: number;
    callsPerSecond: number;
    batchSize: number;
    dbSizeMb: number;
    rollupRows: number;
    meanSketchBytes: number;
    runs: number;
  };
  aggregate7d: QueryComparison;
  aggregate30d: QueryComparison;
  series30dHourly: QueryComparison;
  recentCalls: QueryComparison;
  /** Calls counted by the 30-day aggregate and by the raw scan (must match). */
  check: { aggregateCalls: number; rawCalls: number };
}

/** Runs a query `repeats` times, fewer when it is slow (at least 3 runs, about `budgetMs` in all). */
function time<T>(name: string, repeats: number, run: () => T[], budgetMs = 12_000): QueryTiming {
  const durations: number[] = [];
  const cpu: number[] = [];
  let rows = 0;
  let spent = 0;
  for (let i = 0; i < repeats && (i < 3 || spent < budgetMs); i++) {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    rows = run().length;
    durations.push(performance.now() - started);
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
    spent += durations[durations.length - 1];
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
  return { name, firstMs: durations[0], medianMs: median(durations), minMs: Math.min(...durations), cpuMedianMs: median(cpu), runs: durations.length, rows };
}

function compare(flowtune: QueryTiming, baseline: QueryTiming | null): QueryComparison {
  return { flowtune, baseline, ratio: baseline ? flowtune.medianMs / baseline.medianMs : null };
}

const RAW_AGGREGATE = `
  SELECT worker, request_model, prompt_version, COUNT(*) AS calls, SUM(status = 'error') AS errors,
         SUM(status = 'cancelled') AS cancelled, SUM(http_status = 429) AS rate_limited, SUM(cache_hit) AS cache_hits,
         SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, SUM(cost_usd) AS cost_usd,
         AVG(latency_ms) AS latency_mean
  FROM calls WHERE started_at >= ? AND started_at < ?
  GROUP BY worker, request_model, prompt_version`;

const ROLLUP_SUMS = `
  SELECT worker, model, prompt_version, SUM(calls), SUM(errors), SUM(cancelled), SUM(rate_limited), SUM(cache_hits),
         SUM(input_tokens), SUM(output_tokens), SUM(cost_usd), SUM(latency_sum) / NULLIF(SUM(latency_count), 0)
  FROM call_rollups WHERE bucket_start >= ? AND bucket_start < ?
  GROUP BY worker, model, prompt_version`;

const RAW_SERIES = `
  SELECT CAST(started_at / ${HOUR_MS} AS INTEGER) AS bucket, COUNT(*) AS calls, SUM(status <> 'ok') AS errors,
         SUM(cost_usd) AS cost_usd, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, AVG(latency_ms) AS latency_mean
  FROM calls WHERE worker = ? AND started_at >= ? AND started_at < ? GROUP BY bucket ORDER BY bucket`;

const RAW_RECENT = `SELECT * FROM calls WHERE worker = ? ORDER BY started_at DESC LIMIT 50`;

function fillStore(db: Database.Database, options: QueryBenchOptions, endMs: number): { seconds: number; cpuSeconds: number } {
  const writer = new BatchWriter(db, { contentMode: 'full' });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let written = 0;
  let nextReport = 200_000;
  for (const calls of syntheticCallBatches({ total: options.calls, seed: options.seed, endMs, days: options.days }, options.batchSize)) {
    writer.write({ runs: [], steps: [], calls, scores: [] });
    written += calls.length;
    if (written >= nextReport) {
      const seconds = (performance.now() - started) / 1000;
      options.log(`  filled ${written.toLocaleString('en')} calls in ${seconds.toFixed(1)} s`);
      nextReport += 200_000;
    }
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

export function runQueryBench(options: QueryBenchOptions): QueryBenchResult {
  const dataDir = makeTempDir('flowtune-query-bench-');
  const endMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  try {
    let db = openStore(dataDir);
    const { seconds, cpuSeconds } = fillStore(db, options, endMs);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const runs = (db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
    const rollups = db.prepare('SELECT COUNT(*) AS n, AVG(LENGTH(latency_sketch)) AS sketchBytes FROM call_rollups').get() as {
      n: number;
      sketchBytes: number;
    };
    db.close();
    const dbSizeMb = fs.statSync(path.join(dataDir, STORE_FILE_NAME)).size / 1e6;

    options.log('  timing queries…');
    db = openStore(dataDir);
    const last = (days: number) => ({ since: endMs - days * DAY_MS, until: endMs });
    const worker = SYNTHETIC_WORKERS[0];
    const rawAggregate = db.prepare(RAW_AGGREGATE);
    const rollupSums = db.prepare(ROLLUP_SUMS);
    const rawSeries = db.prepare(RAW_SERIES);
    const rawRecent = db.prepare(RAW_RECENT);
    const repeats = options.repeats;

    const aggregate7d = compare(
      time('aggregateWorkers, all workers, 7 days', repeats, () => aggregateWorkers(db, last(7))),
      time('raw GROUP BY over calls, 7 days', repeats, () => rawAggregate.all(last(7).since, endMs)),
    );
    aggregate7d.rollupSumsOnly = time('rollup GROUP BY, sums only, 7 days', repeats, () => rollupSums.all(last(7).since, endMs));
    aggregate7d.withoutQuantiles = time('aggregateWorkers without quantiles, 7 days', repeats, () =>
      aggregateWorkers(db, last(7), 'worker_model_prompt', { quantiles: false }),
    );
    const aggregate30d = compare(
      time('aggregateWorkers, all workers, 30 days', repeats, () => aggregateWorkers(db, last(30))),
      time('raw GROUP BY over calls, 30 days', repeats, () => rawAggregate.all(last(30).since, endMs)),
    );
    aggregate30d.rollupSumsOnly = time('rollup GROUP BY, sums only, 30 days', repeats, () => rollupSums.all(last(30).since, endMs));
    aggregate30d.withoutQuantiles = time('aggregateWorkers without quantiles, 30 days', repeats, () =>
      aggregateWorkers(db, last(30), 'worker_model_prompt', { quantiles: false }),
    );
    const series30dHourly = compare(
      time('workerTimeSeries, one worker, 30 days hourly', repeats, () => workerTimeSeries(db, { ...last(30), worker, bucketMs: HOUR_MS })),
      time('raw hourly GROUP BY, one worker, 30 days', repeats, () => rawSeries.all(worker, last(30).since, endMs)),
    );
    const recent = compare(
      time('recentCalls, one worker, 50', repeats * 4, () => recentCalls(db, worker, 50)),
      time('raw SELECT * … ORDER BY started_at DESC LIMIT 50', repeats * 4, () => rawRecent.all(worker)),
    );
    const aggregateCalls = aggregateWorkers(db, { since: endMs - (options.days + 1) * DAY_MS, until: endMs + HOUR_MS }).reduce((acc, a) => acc + a.calls, 0);
    const rawCalls = (db.prepare('SELECT COUNT(*) AS n FROM calls').get() as { n: number }).n;
    db.close();
    return {
      calls: options.calls,
      days: options.days,
      fill: {
        seconds,
        cpuSeconds,
        callsPerSecond: options.calls / seconds,
        batchSize: options.batchSize,
        dbSizeMb,
        rollupRows: rollups.n,
        meanSketchBytes: rollups.sketchBytes,
        runs,
      },
      aggregate7d,
      aggregate30d,
      series30dHourly,
      recentCalls: recent,
      check: { aggregateCalls, rawCalls },
    };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
