// The rollups' sketch serialiser and the writer's sketch cache: bytes identical to the library's,
// and a cached sketch never outlives the row it was written to (rollback, rebuild, deletion).
import assert from 'node:assert/strict';
import { DDSketch } from '@datadog/sketches-js';
import type Database from 'better-sqlite3';
import { BatchWriter } from '../../../daemon/store/batchWriter';
import { openMemoryStore } from '../../../daemon/store/connection';
import { SKETCH_ACCURACY, SketchCache, encodeSketch } from '../../../daemon/store/latencySketch';
import type { CallRecord } from '../../../daemon/store/records';

const NOW = Date.parse('2026-11-21T12:00:00Z');

function call(id: string, latencyMs: number, overrides: Partial<CallRecord> = {}): CallRecord {
  return { id, source: 'native', operation: 'chat', worker: 'w', requestModel: 'm', startedAt: NOW - 60_000, latencyMs, status: 'ok', ...overrides };
}

function storedSketch(db: Database.Database): DDSketch {
  const row = db.prepare('SELECT latency_sketch AS s, latency_count AS n FROM call_rollups').get() as { s: Buffer; n: number };
  const sketch = DDSketch.fromProto(row.s);
  assert.equal(sketch.count, row.n, 'the sketch holds exactly the counted latencies');
  return sketch;
}

describe('latency sketches', () => {
  it('encodes byte for byte what toProto() returns, for empty, decoded, zero and wide sketches', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let t = 0; t < 300; t++) {
      const fresh = new DDSketch({ relativeAccuracy: SKETCH_ACCURACY });
      const sketch = t % 3 === 0 ? DDSketch.fromProto(fresh.toProto()) : fresh;
      const n = t % 40;
      for (let i = 0; i < n; i++) sketch.accept(i % 9 === 0 ? 0 : Math.exp(random() * (t % 12)) * (t % 5 === 0 ? 1e5 : 1));
      assert.deepEqual(encodeSketch(sketch), Buffer.from(sketch.toProto()), `case ${t}`);
    }
  });

  it('uses a cached sketch only while the stored bytes are exactly the ones it wrote', () => {
    const cache = new SketchCache();
    const sketch = new DDSketch({ relativeAccuracy: SKETCH_ACCURACY });
    sketch.accept(10);
    const bytes = encodeSketch(sketch);
    cache.remember('k', sketch, bytes);
    assert.equal(cache.sketchFor('k', Buffer.from(bytes)), sketch);
    cache.remember('k', sketch, bytes);
    const other = new DDSketch({ relativeAccuracy: SKETCH_ACCURACY });
    other.accept(99);
    const fromOther = cache.sketchFor('k', encodeSketch(other));
    assert.notEqual(fromOther, sketch);
    assert.equal(fromOther.count, 1);
    assert.equal(cache.sketchFor('k', null).count, 0, 'a deleted row starts a new sketch');
  });

  it('keeps the stored sketch equal to the raw calls across a rolled-back batch', () => {
    const db = openMemoryStore();
    const writer = new BatchWriter(db, { contentMode: 'full' });
    writer.write({ runs: [], steps: [], calls: [call('a', 100), call('b', 200)], scores: [] });
    // The batch's rollup row (and the writer's in-memory sketch) take latency 300, then the enclosing
    // transaction rolls back: the stored row goes back to two latencies, the cached sketch has three.
    assert.throws(() =>
      db.transaction(() => {
        writer.write({ runs: [], steps: [], calls: [call('c', 300)], scores: [] });
        throw new Error('rolled back');
      })(),
    );
    assert.equal(storedSketch(db).count, 2);
    writer.write({ runs: [], steps: [], calls: [call('d', 400)], scores: [] });
    const sketch = storedSketch(db);
    assert.equal(sketch.count, 3);
    assert.ok(Math.abs(sketch.getValueAtQuantile(1) - 400) <= 4, String(sketch.getValueAtQuantile(1)));
    db.close();
  });

  it('starts a new sketch when the row was deleted behind the writer (retention)', () => {
    const db = openMemoryStore();
    const writer = new BatchWriter(db, { contentMode: 'full' });
    writer.write({ runs: [], steps: [], calls: [call('a', 100), call('b', 200)], scores: [] });
    db.prepare('DELETE FROM call_rollups').run();
    writer.write({ runs: [], steps: [], calls: [call('c', 300)], scores: [] });
    assert.equal(storedSketch(db).count, 1);
    db.close();
  });
});
