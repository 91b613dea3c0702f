// One call seen by the proxy and by an instrumentation is stored once, whichever arrives first,
// with the rollups counting it once under the right worker (daemon/store/responseTwins.ts).
import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { BatchWriter } from '../../../daemon/store/batchWriter';
import { openStore } from '../../../daemon/store/connection';
import type { CallRecord, ScoreRecord } from '../../../daemon/store/records';
import { aggregateWorkers } from '../../../daemon/store/workerQueries';
import { makeTempDir } from '../../support/daemonHarness';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-21T12:00:00Z');
const T = NOW - 30 * 60_000;

function proxyCall(overrides: Partial<CallRecord> = {}): CallRecord {
  return { id: 'call_proxy', source: 'proxy', operation: 'chat', worker: null, runId: null, requestModel: 'gpt-4o-mini', startedAt: T + 5, latencyMs: 90, inputTokens: 11, outputTokens: 5, status: 'ok', responseId: 'chatcmpl-1', ...overrides };
}

function spanCall(overrides: Partial<CallRecord> = {}): CallRecord {
  // As Traceloop exports a stream: its own token estimate, not the upstream's usage.
  return { id: 'trace:span', source: 'otlp', operation: 'chat', worker: 'extract', runId: 'trace', stepId: 'trace:step', requestModel: 'gpt-4o-mini', startedAt: T, latencyMs: 100, inputTokens: 5, outputTokens: 11, status: 'ok', traceId: 'trace', spanId: 'span', responseId: 'chatcmpl-1', ...overrides };
}

const batch = (calls: CallRecord[], scores: ScoreRecord[] = []) => ({ runs: [], steps: [], calls, scores });

describe('store: a call seen through the proxy and an instrumentation', () => {
  let db: Database.Database;
  let writer: BatchWriter;
  beforeEach(() => {
    db = openStore(makeTempDir());
    writer = new BatchWriter(db, { contentMode: 'full', costFor: (c) => ({ costUsd: (c.inputTokens ?? 0) * 1e-6, source: 'price_table' }) });
  });
  afterEach(() => db.close());

  const rows = () => db.prepare('SELECT id, source, worker, run_id, step_id, span_id, input_tokens, output_tokens, cost_usd FROM calls').all();
  const workers = () => aggregateWorkers(db, { since: NOW - DAY, until: NOW }).map((a) => [a.worker, a.calls, a.inputTokens]);

  it('proxy first: the proxy row learns its span, step, run and worker; counted once, moved off the unknown worker', () => {
    writer.write(batch([proxyCall()]));
    assert.deepEqual(workers(), [['(unknown)', 1, 11]]);
    const result = writer.write(batch([spanCall()], [{ callId: 'trace:span', name: 'quality', value: 0.5, source: 'app', createdAt: NOW }]));
    assert.equal(result.duplicateCalls, 1);
    assert.deepEqual(rows(), [{ id: 'call_proxy', source: 'proxy', worker: 'extract', run_id: 'trace', step_id: 'trace:step', span_id: 'span', input_tokens: 11, output_tokens: 5, cost_usd: 11e-6 }]);
    assert.deepEqual(workers(), [['extract', 1, 11]]);
    assert.deepEqual(db.prepare('SELECT call_id FROM scores').all(), [{ call_id: 'call_proxy' }], 'the span\'s score lands on the one row');
  });

  it('instrumentation first: the proxy row replaces it, keeping the tree and its scores, counted once', () => {
    writer.write(batch([spanCall()], [{ callId: 'trace:span', name: 'quality', value: 0.5, source: 'app', createdAt: NOW }]));
    assert.deepEqual(workers(), [['extract', 1, 5]]);
    writer.write(batch([proxyCall()]));
    assert.deepEqual(rows(), [{ id: 'call_proxy', source: 'proxy', worker: 'extract', run_id: 'trace', step_id: 'trace:step', span_id: 'span', input_tokens: 11, output_tokens: 5, cost_usd: 11e-6 }]);
    const [aggregate] = aggregateWorkers(db, { since: NOW - DAY, until: NOW });
    assert.deepEqual([aggregate.worker, aggregate.calls, aggregate.inputTokens, aggregate.quality], ['extract', 1, 11, 0.5]);
  });

  it('the proxy\'s x-flowtune-worker wins; a late link of the span still places the call but does not rename it', () => {
    writer.write(batch([proxyCall({ worker: 'summarize' })]));
    writer.write(batch([spanCall({ worker: null, stepId: null, awaitingParent: true })]));
    writer.write(batch([]), { calls: [{ callId: 'trace:span', stepId: 'trace:step', worker: 'ai.generateText', final: true }], steps: [] });
    assert.deepEqual(db.prepare('SELECT worker, step_id FROM calls').all(), [{ worker: 'summarize', step_id: 'trace:step' }]);
    assert.deepEqual(workers(), [['summarize', 1, 11]]);
  });

  it('an instrumented call still waiting for its parent keeps waiting under the proxy\'s id, then counts once', () => {
    writer.write(batch([spanCall({ worker: null, stepId: null, awaitingParent: true })]));
    writer.write(batch([proxyCall()]));
    assert.deepEqual(workers(), [], 'held out while the worker is unsettled');
    writer.write(batch([]), { calls: [{ callId: 'trace:span', stepId: 'trace:step', worker: 'extract', final: true }], steps: [] });
    assert.deepEqual(workers(), [['extract', 1, 11]]);
  });

  it('without a response id (embeddings), pairs the one call with the same model and tokens inside the span', () => {
    const embed = { operation: 'embeddings', requestModel: 'text-embedding-3-small', responseId: null, outputTokens: null, inputTokens: 8 };
    writer.write(batch([proxyCall(embed)]));
    writer.write(batch([spanCall({ ...embed, id: 'trace:other', inputTokens: 9 })]));
    assert.equal(rows().length, 2, 'different tokens: another call');
    writer.write(batch([spanCall(embed)]));
    assert.equal(rows().length, 2, 'the matching span merged into the proxy row');
    assert.equal(db.prepare(`SELECT span_id FROM calls WHERE id = 'call_proxy'`).pluck().get(), 'span');
  });

  it('two proxied calls alike inside one span are not guessed between', () => {
    const embed = { operation: 'embeddings', requestModel: 'text-embedding-3-small', responseId: null, inputTokens: 8 };
    writer.write(batch([proxyCall({ ...embed, id: 'a' }), proxyCall({ ...embed, id: 'b', startedAt: T + 6 })]));
    writer.write(batch([spanCall(embed)]));
    assert.equal(rows().length, 3);
  });
});
