// The proxy's per-request shortcuts must never serve stale or wrong data: the cached override spec
// follows every change (set, revert, clear), cached variants follow updates, and records built at
// flush time carry the same facts and request hash as if they had been built at once.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { requestHash } from '../../../daemon/proxy/canonicalRequest';
import { OverrideStore } from '../../../daemon/proxy/overrideStore';
import { buildCallRecord } from '../../../daemon/proxy/proxyCallRecord';
import { RecordQueue } from '../../../daemon/proxy/recordQueue';
import { ResponseCache, duplicateRate } from '../../../daemon/proxy/responseCache';
import { emptySummary } from '../../../daemon/proxy/responseSummary';
import { BatchWriter } from '../../../daemon/store/batchWriter';
import { migrate } from '../../../daemon/store/migrations';
import type { Logger } from '../../../daemon/log';

describe('proxy hot-path caches', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    migrate(db);
  });
  afterEach(() => db.close());

  it('specFor follows every override change and is read-only', () => {
    const store = new OverrideStore(db);
    assert.equal(store.specFor('w'), null);
    store.set('w', { set: { max_tokens: 100 }, replace: false, set_by: 'a', reason: 'r' }, 1);
    assert.deepEqual(store.specFor('w'), { max_tokens: 100 });
    assert.equal(store.specFor('w'), store.specFor('w'), 'the second read comes from the cache');
    assert.throws(() => {
      (store.specFor('w') as { max_tokens?: number }).max_tokens = 5;
    }, TypeError);
    store.set('w', { set: { model: 'gpt-4o-mini', split: { salt: 's', arms: [{ name: 'a', weight: 1 }, { name: 'b', weight: 1 }] } }, replace: false, set_by: 'a', reason: 'r' }, 2);
    assert.deepEqual(store.specFor('w'), { max_tokens: 100, model: 'gpt-4o-mini', split: { salt: 's', arms: [{ name: 'a', weight: 1 }, { name: 'b', weight: 1 }] } });
    assert.throws(() => {
      (store.specFor('w')?.split?.arms as Array<{ weight: number }>)[0].weight = 2;
    }, TypeError);
    store.revert('w', { set_by: 'b', reason: 'undo', all: false }, 3);
    assert.deepEqual(store.specFor('w'), { max_tokens: 100 });
    store.revert('w', { set_by: 'b', reason: 'clear', all: true }, 4);
    assert.equal(store.specFor('w'), null);
    assert.equal(store.specFor('other'), null);
  });

  it('variantFor follows variant updates', () => {
    const store = new OverrideStore(db);
    assert.equal(store.variantFor('v1'), null);
    store.putVariant({ id: 'v1', system_prompt: 'Be terse.', created_by: 'a' }, 1);
    assert.equal(store.variantFor('v1')?.system_prompt, 'Be terse.');
    store.putVariant({ id: 'v1', system_prompt: 'Be very terse.', created_by: 'a' }, 2);
    assert.equal(store.variantFor('v1')?.system_prompt, 'Be very terse.');
  });

  it('records and request hashes built at flush time are stored in queue order with the right hash', () => {
    const cache = new ResponseCache(db);
    const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, close() {} };
    const queue = new RecordQueue(db, new BatchWriter(db, { contentMode: 'full' }), cache, silent);
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
    let built = 0;
    const at = Date.now();
    for (let i = 0; i < 3; i++) {
      const facts = { callId: `call_${i}`, startedAt: at + i, worker: 'w', runId: null, promptId: null, promptVersion: null, retryCount: null, variant: null, operation: 'chat', provider: null, body };
      const outcome = { status: 'ok' as const, httpStatus: 200, latencyMs: 1, ttftMs: null, summary: emptySummary(), cacheHit: false };
      queue.addCall(
        () => {
          built++;
          return buildCallRecord(facts, outcome);
        },
        { worker: 'w', hash: () => requestHash('POST', '/v1/chat/completions', body, 'up'), at: at + i },
      );
    }
    assert.equal(built, 0, 'nothing is built on the request path');
    queue.flush();
    assert.equal(built, 3);
    const rows = db.prepare("SELECT id, input_text FROM calls WHERE worker = 'w' ORDER BY started_at").all() as Array<{ id: string; input_text: string }>;
    assert.deepEqual(rows.map((r) => r.id), ['call_0', 'call_1', 'call_2']);
    assert.equal(rows[0].input_text, JSON.stringify(body.messages));
    const hashes = db.prepare("SELECT DISTINCT request_hash FROM proxy_request_hashes WHERE worker = 'w'").all() as Array<{ request_hash: string }>;
    assert.deepEqual(hashes, [{ request_hash: requestHash('POST', '/v1/chat/completions', body, 'up') }]);
    assert.equal(duplicateRate(db, 'w', 60_000, at + 10).rate, 2 / 3);
  });
});
