// Conversions shared by the JSON and protobuf paths: ids, int64 nanoseconds, AnyValue.
// Both paths must produce bit-identical results, so every number goes through the same arithmetic.
import type { AttrValue, Attributes } from './normalizedTypes';
import type { Int64Wire, LongLike, PbAnyValue, PbKeyValue } from './proto';
import { OtlpDecodeError } from './errors';

const TWO_POW_32 = 4294967296;
const HEX_RE = /^[0-9a-fA-F]+$/;
const BASE64_RE = /^[A-Za-z0-9+/_-]+={0,2}$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

function isLong(v: unknown): v is LongLike {
  return typeof v === 'object' && v !== null && typeof (v as LongLike).low === 'number' && typeof (v as LongLike).high === 'number';
}

/**
 * Nanoseconds since the epoch (int64 as decimal string, number or Long) to milliseconds with the
 * sub-millisecond part as a fraction. Returns NaN for anything unreadable. Whole milliseconds and
 * the nanosecond remainder are computed exactly and added once, so 850000000 ns is 850 ms (not
 * 849.9998) and both encodings give the same double.
 */
export function nanosToMs(v: unknown): number {
  if (typeof v === 'string') {
    if (v.length === 0 || v.length > 20 || !/^\d+$/.test(v)) return NaN;
    if (v.length <= 6) return Number(v) / 1e6;
    return Number(v.slice(0, -6)) + Number(v.slice(-6)) / 1e6;
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) return NaN;
    // Above 2^53 a JSON number has already lost up to ±128 ns; rounding to whole microseconds
    // recovers the value exporters actually had (they record µs or ms precision).
    if (v > Number.MAX_SAFE_INTEGER) {
      const us = Math.round(v / 1000);
      const wholeMs = Math.floor(us / 1000);
      return wholeMs + (us - wholeMs * 1000) / 1000;
    }
    const ms = Math.floor(v / 1e6);
    return ms + (v - ms * 1e6) / 1e6;
  }
  if (isLong(v)) return nanosPartsToMs(v.low, v.high);
  return NaN;
}

/** An unsigned 64-bit nanosecond count given as its low and high 32-bit halves, to milliseconds. */
export function nanosPartsToMs(low: number, high: number): number {
  // hi·2^32 + lo = hi·4294·10^6 + (hi·967296 + lo); the bracket stays below 2^53.
  const hi = high >>> 0;
  const rest = hi * 967296 + (low >>> 0);
  const restMs = Math.floor(rest / 1e6);
  return hi * 4294 + restMs + (rest - restMs * 1e6) / 1e6;
}

/** A signed int64 as a JS number when it is exactly representable, else as a decimal string. */
export function int64Value(v: Int64Wire): number | string {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  const high = v.unsigned ? v.high >>> 0 : v.high | 0;
  const n = high * TWO_POW_32 + (v.low >>> 0);
  if (Number.isSafeInteger(n)) return n;
  return ((BigInt(high) << 32n) + BigInt(v.low >>> 0)).toString();
}

/**
 * A trace or span id from OTLP/JSON: hex (any case) per the spec, or base64 as some
 * non-conformant exporters send it. Returns lower-case hex, '' when absent, undefined when invalid.
 */
export function idFromJson(v: unknown, byteLength: 16 | 8): string | undefined {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string') return undefined;
  let hex: string | undefined;
  if (v.length === byteLength * 2 && HEX_RE.test(v)) hex = v.toLowerCase();
  else if (v.length === Math.ceil(byteLength / 3) * 4 && BASE64_RE.test(v)) {
    const bytes = Buffer.from(v, 'base64');
    if (bytes.length === byteLength) hex = bytes.toString('hex');
  }
  if (hex === undefined || hex === (byteLength === 16 ? ZERO_TRACE : ZERO_SPAN)) return undefined;
  return hex;
}

/** A trace or span id from protobuf bytes: '' when absent, undefined when of the wrong length or all zero. */
export function idFromBytes(v: Uint8Array | undefined | null, byteLength: 16 | 8): string | undefined {
  if (v === undefined || v === null || v.length === 0) return '';
  if (v.length !== byteLength) return undefined;
  const hex = Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex');
  return hex === (byteLength === 16 ? ZERO_TRACE : ZERO_SPAN) ? undefined : hex;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonDouble(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    // proto3 JSON writes the non-finite doubles as strings.
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
  }
  throw new OtlpDecodeError(`${path}.doubleValue: expected a number`);
}

/** An OTLP/JSON AnyValue as a JS value; throws OtlpDecodeError naming the path when malformed. */
export function jsonAnyValue(v: unknown, path: string): AttrValue {
  if (v === undefined || v === null) return null;
  if (!isPlainObject(v)) throw new OtlpDecodeError(`${path}: expected an AnyValue object`);
  const s = v.stringValue;
  if (s !== undefined && s !== null) {
    if (typeof s !== 'string') throw new OtlpDecodeError(`${path}.stringValue: expected a string`);
    return s;
  }
  const i = v.intValue;
  if (i !== undefined && i !== null) {
    if (typeof i === 'number' && Number.isInteger(i)) return i;
    if (typeof i === 'string' && /^-?\d+$/.test(i)) return int64Value(i);
    throw new OtlpDecodeError(`${path}.intValue: expected an integer or a decimal string`);
  }
  if (v.doubleValue !== undefined && v.doubleValue !== null) return jsonDouble(v.doubleValue, path);
  const b = v.boolValue;
  if (b !== undefined && b !== null) {
    if (typeof b !== 'boolean') throw new OtlpDecodeError(`${path}.boolValue: expected a boolean`);
    return b;
  }
  const arr = v.arrayValue;
  if (arr !== undefined && arr !== null) {
    if (!isPlainObject(arr)) throw new OtlpDecodeError(`${path}.arrayValue: expected an object`);
    const values = arr.values;
    if (values === undefined || values === null) return [];
    if (!Array.isArray(values)) throw new OtlpDecodeError(`${path}.arrayValue.values: expected an array`);
    return values.map((x, k) => jsonAnyValue(x, `${path}.arrayValue.values[${k}]`));
  }
  const kv = v.kvlistValue;
  if (kv !== undefined && kv !== null) {
    if (!isPlainObject(kv)) throw new OtlpDecodeError(`${path}.kvlistValue: expected an object`);
    return jsonAttributes(kv.values, `${path}.kvlistValue.values`);
  }
  const bytes = v.bytesValue;
  if (bytes !== undefined && bytes !== null) {
    if (typeof bytes !== 'string') throw new OtlpDecodeError(`${path}.bytesValue: expected a base64 string`);
    return Buffer.from(bytes, 'base64').toString('base64');
  }
  return null;
}

/** An OTLP/JSON KeyValue list as a record; later duplicates win. */
export function jsonAttributes(list: unknown, path: string): Attributes {
  const out: Attributes = {};
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new OtlpDecodeError(`${path}: expected an array of KeyValue`);
  for (let k = 0; k < list.length; k++) {
    const kv: unknown = list[k];
    if (!isPlainObject(kv)) throw new OtlpDecodeError(`${path}[${k}]: expected a KeyValue object`);
    const key = kv.key;
    if (typeof key !== 'string') throw new OtlpDecodeError(`${path}[${k}].key: expected a string`);
    // Assigning "__proto__" would replace the object's prototype instead of adding a key.
    if (key === '__proto__') continue;
    out[key] = jsonAnyValue(kv.value, `${path}[${k}].value`);
  }
  return out;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A decoded protobuf AnyValue as a JS value. protobufjs puts defaults for unset oneof members
 * on the prototype, so only own properties say which member was sent.
 */
export function pbAnyValue(v: PbAnyValue | null | undefined): AttrValue {
  if (v === undefined || v === null) return null;
  if (hasOwn.call(v, 'stringValue')) return v.stringValue as string;
  if (hasOwn.call(v, 'intValue')) return int64Value(v.intValue as Int64Wire);
  if (hasOwn.call(v, 'doubleValue')) return v.doubleValue as number;
  if (hasOwn.call(v, 'boolValue')) return v.boolValue as boolean;
  if (hasOwn.call(v, 'arrayValue')) return (v.arrayValue?.values ?? []).map(pbAnyValue);
  if (hasOwn.call(v, 'kvlistValue')) return pbAttributes(v.kvlistValue?.values);
  if (hasOwn.call(v, 'bytesValue')) {
    const b = v.bytesValue as Uint8Array;
    return Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
  }
  return null;
}

export function pbAttributes(list: PbKeyValue[] | null | undefined): Attributes {
  const out: Attributes = {};
  if (list === undefined || list === null) return out;
  for (let k = 0; k < list.length; k++) {
    const kv = list[k];
    if (kv.key === '__proto__') continue;
    out[kv.key] = pbAnyValue(kv.value);
  }
  return out;
}

export { isPlainObject };
