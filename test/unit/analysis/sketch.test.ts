import assert from 'node:assert/strict';
import {
  addToSketch, createSketch, mergeSketches, sketchCount, sketchFromBytes, sketchQuantile, sketchToBytes,
} from '../../../daemon/analysis/sketch';
import { quantileLower } from '../../../daemon/analysis/robust';

describe('analysis/sketch', () => {
  const oneToThousand = Array.from({ length: 1000 }, (_, i) => i + 1);

  it('golden: 1..1000 q0.99 within [980.1, 999.9]', () => {
    const q = sketchQuantile(createSketch(oneToThousand), 0.99);
    assert.ok(q >= 980.1 && q <= 999.9, String(q));
  });

  it('merging equals sketching the union, within 1% of exact', () => {
    const a = createSketch(oneToThousand.slice(0, 300));
    const b = createSketch(oneToThousand.slice(300));
    const m = mergeSketches([a, b]);
    assert.equal(sketchCount(m), 1000);
    assert.equal(sketchCount(a), 300);
    for (const q of [0.01, 0.5, 0.9, 0.99]) {
      const exact = quantileLower(oneToThousand, q);
      assert.ok(Math.abs(sketchQuantile(m, q) - exact) <= 0.01 * exact, `q=${q}`);
      assert.equal(sketchQuantile(m, q), sketchQuantile(createSketch(oneToThousand), q));
    }
  });

  it('round-trips through protobuf bytes', () => {
    const s = createSketch([3, 10, 250, 1200.5, 40000]);
    const bytes = sketchToBytes(s);
    assert.ok(bytes instanceof Uint8Array && bytes.length > 0);
    const back = sketchFromBytes(bytes);
    assert.equal(sketchCount(back), 5);
    assert.ok(Math.abs(sketchQuantile(back, 0.5) - sketchQuantile(s, 0.5)) < 1e-9 * 250);
    assert.ok(Math.abs(sketchQuantile(back, 0.5) - 250) <= 0.01 * 250);
  });

  it('ignores NaN and answers NaN when empty', () => {
    const s = createSketch();
    addToSketch(s, NaN);
    assert.ok(Number.isNaN(sketchQuantile(s, 0.5)));
  });
});
