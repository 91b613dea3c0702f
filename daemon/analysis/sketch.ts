// Streaming quantiles with a relative-error guarantee (DDSketch, α = 0.01), stored as protobuf BLOBs.
// fromProto drops min/max/sum, so callers keep those in columns (REFERENCES A.6).
import { DDSketch } from '@datadog/sketches-js';

export const SKETCH_RELATIVE_ACCURACY = 0.01;

export type QuantileSketch = DDSketch;

export function createSketch(values: Iterable<number> = []): QuantileSketch {
  const s = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
  for (const v of values) addToSketch(s, v);
  return s;
}

/** Adds a finite value (NaN/Infinity are ignored: one bad latency must not poison a sketch). */
export function addToSketch(s: QuantileSketch, value: number, weight = 1): void {
  if (Number.isFinite(value) && weight > 0) s.accept(value, weight);
}

/** Merges sketches into a new one, leaving the inputs untouched. */
export function mergeSketches(sketches: readonly QuantileSketch[]): QuantileSketch {
  const out = createSketch();
  for (const s of sketches) if (s.count > 0) out.merge(s);
  return out;
}

/** Value at quantile q ∈ [0,1]; NaN for an empty sketch. */
export function sketchQuantile(s: QuantileSketch, q: number): number {
  if (s.count === 0 || !(q >= 0 && q <= 1)) return NaN;
  return s.getValueAtQuantile(q);
}

export function sketchCount(s: QuantileSketch): number {
  return s.count;
}

export function sketchToBytes(s: QuantileSketch): Uint8Array {
  return s.toProto();
}

export function sketchFromBytes(bytes: Uint8Array): QuantileSketch {
  return DDSketch.fromProto(bytes);
}
