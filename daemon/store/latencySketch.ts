// The rollups' latency sketches: a fast serialiser and a cache of decoded sketches for the writer.
//
// The library's toProto()/fromProto() go through protobufjs objects (~25 µs and ~18 µs per sketch),
// and the writer touches about a hundred rollup rows per OTLP batch. encodeSketch() writes the same
// bytes directly; SketchCache keeps the decoded sketch of each recently written row together with
// the bytes it wrote, and trusts it only while the stored blob is still exactly those bytes — a
// rolled-back transaction, a rebuilt or deleted row, or another writer makes the cache miss, never lie.
import { DDSketch } from '@datadog/sketches-js';

export const SKETCH_ACCURACY = 0.01;

interface StoreParts {
  bins: number[];
  offset: number;
}

interface MappingParts {
  gamma: number;
  _offset: number;
  _protoInterpolation(): number;
}

function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

function zigzag(value: number): number {
  // sint32, as protobuf encodes it; offsets are small integers.
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

class ByteWriter {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  varint(value: number): void {
    while (value >= 0x80) {
      this.buf[this.pos++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 128);
    }
    this.buf[this.pos++] = value;
  }

  double(value: number): void {
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }
}

function storeLength(store: StoreParts): number {
  const packed = store.bins.length * 8;
  const binsPart = packed > 0 ? 1 + varintLength(packed) + packed : 0;
  return binsPart + 1 + varintLength(zigzag(store.offset));
}

function writeStore(w: ByteWriter, store: StoreParts): void {
  const packed = store.bins.length * 8;
  if (packed > 0) {
    w.varint(18); // field 2 (contiguousBinCounts), packed doubles
    w.varint(packed);
    for (const count of store.bins) w.double(count);
  }
  w.varint(24); // field 3 (contiguousBinIndexOffset), sint32
  w.varint(zigzag(store.offset));
}

/** The sketch in the DDSketch protobuf format, byte for byte what `sketch.toProto()` returns. */
export function encodeSketch(sketch: DDSketch): Buffer {
  const mapping = sketch.mapping as unknown as MappingParts;
  const positive = sketch.store as unknown as StoreParts;
  const negative = sketch.negativeStore as unknown as StoreParts;
  const interpolation = mapping._protoInterpolation();
  const offsetOk = Number.isInteger(positive.offset) && Number.isInteger(negative.offset) && Math.abs(positive.offset) < 2 ** 30 && Math.abs(negative.offset) < 2 ** 30;
  if (interpolation !== 0 || !offsetOk) return Buffer.from(sketch.toProto());
  const mappingLength = 1 + 8 + 1 + 8 + 1 + 1;
  const positiveLength = storeLength(positive);
  const negativeLength = storeLength(negative);
  const total =
    1 + varintLength(mappingLength) + mappingLength +
    1 + varintLength(positiveLength) + positiveLength +
    1 + varintLength(negativeLength) + negativeLength +
    1 + 8;
  const w = new ByteWriter(Buffer.allocUnsafe(total));
  w.varint(10); // field 1: mapping
  w.varint(mappingLength);
  w.varint(9);
  w.double(mapping.gamma);
  w.varint(17);
  w.double(mapping._offset);
  w.varint(24);
  w.varint(interpolation);
  w.varint(18); // field 2: positive values
  w.varint(positiveLength);
  writeStore(w, positive);
  w.varint(26); // field 3: negative values
  w.varint(negativeLength);
  writeStore(w, negative);
  w.varint(33); // field 4: zero count
  w.double(sketch.zeroCount);
  return w.buf;
}

interface CachedSketch {
  sketch: DDSketch;
  bytes: Buffer;
}

/** Decoded sketches of recently written rollup rows, valid only while the stored bytes match. */
export class SketchCache {
  private readonly entries = new Map<string, CachedSketch>();

  constructor(private readonly capacity = 4096) {}

  /** The sketch stored as `stored` (null: a new, empty sketch), from the cache when it is exactly that. */
  sketchFor(key: string, stored: Buffer | null | undefined): DDSketch {
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      this.entries.delete(key);
      if (stored && cached.bytes.equals(stored)) return cached.sketch;
    }
    return stored ? DDSketch.fromProto(stored) : new DDSketch({ relativeAccuracy: SKETCH_ACCURACY });
  }

  /** Remembers what was just written for `key`; the sketch must not be changed afterwards by the caller. */
  remember(key: string, sketch: DDSketch, bytes: Buffer): void {
    this.entries.delete(key);
    this.entries.set(key, { sketch, bytes });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
