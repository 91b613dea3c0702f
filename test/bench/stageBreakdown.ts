// Where the daemon's ingest time goes, stage by stage, in this process and without HTTP: decoding
// (JSON.parse + normalise, or protobuf decode + normalise), mapping spans to runs/steps/calls, and
// the store transaction (rows, rollups, late-parent links). Same code path as the /v1/traces route,
// same kind of data-dir store, same bodies as the HTTP benchmark.
import * as fs from 'node:fs';
import { mapSpansToBatch } from '../../daemon/ingest/genai/mapSpans';
import { RecentSpanIndex } from '../../daemon/ingest/genai/spanIndex';
import { normalizeTraceRequestJson, normalizeTraceRequestProtobuf } from '../../daemon/ingest/otlp/normalize';
import { createCostEstimator } from '../../daemon/pricing/costEstimator';
import { parseJsonBody } from '../../daemon/server/requestBody';
import { BatchWriter } from '../../daemon/store/batchWriter';
import { openStore } from '../../daemon/store/connection';
import { makeTempDir } from '../support/daemonHarness';
import { generateSpanBatches, type OtlpEncoding } from './genaiSpans';

export interface StageBreakdown {
  encoding: OtlpEncoding;
  spans: number;
  batchSize: number;
  /** Microseconds per span in each stage. */
  decodeUs: number;
  mapUs: number;
  writeUs: number;
  totalUs: number;
  /** Spans/s one dedicated core could sustain for these three stages alone. */
  ceilingSpansPerSecond: number;
  /** Late-parent links written (calls and steps whose parent came in a later batch). */
  links: number;
  /** Write time per span in the first and the last fifth of the batches: growth means cost rising with store size. */
  writeUsFirstFifth: number;
  writeUsLastFifth: number;
}

export function measureStages(encoding: OtlpEncoding, spans: number, batchSize: number, seed: number): StageBreakdown {
  const batches = generateSpanBatches({ encoding, totalSpans: spans, batchSize, seed, endTimeMs: Date.now() });
  const root = makeTempDir('flowtune-stages-');
  const db = openStore(root);
  const writer = new BatchWriter(db, { contentMode: 'full', costFor: createCostEstimator().costFor });
  const index = new RecentSpanIndex();
  let decodeNs = 0n;
  let mapNs = 0n;
  let links = 0;
  const writeNsPerBatch: number[] = [];
  try {
    for (const body of batches.bodies) {
      const t0 = process.hrtime.bigint();
      const traces = encoding === 'json' ? normalizeTraceRequestJson(parseJsonBody(body)) : normalizeTraceRequestProtobuf(body);
      const t1 = process.hrtime.bigint();
      const mapped = mapSpansToBatch(traces.spans, { source: 'otlp', index });
      const t2 = process.hrtime.bigint();
      writer.write(mapped.batch, { calls: mapped.callLinks, steps: mapped.stepLinks });
      const t3 = process.hrtime.bigint();
      decodeNs += t1 - t0;
      mapNs += t2 - t1;
      writeNsPerBatch.push(Number(t3 - t2));
      links += mapped.callLinks.length + mapped.stepLinks.length;
    }
  } finally {
    db.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
  const perSpan = (ns: number) => ns / 1000 / batches.spans;
  const writeNs = writeNsPerBatch.reduce((a, b) => a + b, 0);
  const fifth = Math.max(1, Math.floor(writeNsPerBatch.length / 5));
  const usPerSpanOver = (part: number[]) => part.reduce((a, b) => a + b, 0) / 1000 / (part.length * batchSize);
  const decodeUs = perSpan(Number(decodeNs));
  const mapUs = perSpan(Number(mapNs));
  const writeUs = perSpan(writeNs);
  const totalUs = decodeUs + mapUs + writeUs;
  return {
    encoding,
    spans: batches.spans,
    batchSize,
    decodeUs,
    mapUs,
    writeUs,
    totalUs,
    ceilingSpansPerSecond: 1e6 / totalUs,
    links,
    writeUsFirstFifth: usPerSpanOver(writeNsPerBatch.slice(0, fifth)),
    writeUsLastFifth: usPerSpanOver(writeNsPerBatch.slice(-fifth - 1, -1)),
  };
}
