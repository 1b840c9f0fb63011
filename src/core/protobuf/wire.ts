// The protobuf wire format, read-only: a message is a run of (tag, value) pairs where the tag's low three
// bits say how the value is laid out. Kubernetes uses proto2 through gogo-protobuf, so only varint,
// 64-bit, length-delimited and 32-bit values occur; the group wire types (3, 4) are long deprecated and
// treated as corrupt input, like any other unknown type.

export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const FIXED32 = 5;

/** One field as it sits in a message: its number, wire type and raw value. */
export type WireField =
  | { number: number; wire: typeof VARINT; value: bigint }
  | { number: number; wire: typeof FIXED64 | typeof FIXED32; value: Buffer }
  | { number: number; wire: typeof LENGTH_DELIMITED; value: Buffer };

/** A malformed protobuf message; `offset` is where in the message reading stopped. */
export class WireError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = 'WireError';
  }
}

/** Reads a base-128 varint starting at `pos`; at most 10 bytes, as 64-bit values need. */
export function readVarint(buf: Buffer, pos: number): { value: bigint; next: number } {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= buf.length) throw new WireError('truncated varint', pos);
    const byte = buf[pos + i];
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value: BigInt.asUintN(64, result), next: pos + i + 1 };
    shift += 7n;
  }
  throw new WireError('varint longer than 10 bytes', pos);
}

/** Splits a message into its fields, in wire order (repeated fields appear once per element). */
export function readFields(buf: Buffer): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const tag = readVarint(buf, pos);
    pos = tag.next;
    const number = Number(tag.value >> 3n);
    const wire = Number(tag.value & 7n);
    if (number === 0) throw new WireError('field number 0 is not valid', start);
    switch (wire) {
      case VARINT: {
        const v = readVarint(buf, pos);
        fields.push({ number, wire: VARINT, value: v.value });
        pos = v.next;
        break;
      }
      case FIXED64:
      case FIXED32: {
        const size = wire === FIXED64 ? 8 : 4;
        if (pos + size > buf.length) throw new WireError(`truncated ${size * 8}-bit value of field ${number}`, pos);
        fields.push({ number, wire, value: buf.subarray(pos, pos + size) });
        pos += size;
        break;
      }
      case LENGTH_DELIMITED: {
        const len = readVarint(buf, pos);
        pos = len.next;
        if (len.value > BigInt(buf.length - pos)) {
          throw new WireError(`field ${number} claims ${len.value} bytes but only ${buf.length - pos} remain`, pos);
        }
        const end = pos + Number(len.value);
        fields.push({ number, wire: LENGTH_DELIMITED, value: buf.subarray(pos, end) });
        pos = end;
        break;
      }
      default:
        throw new WireError(`unsupported wire type ${wire} for field ${number}`, start);
    }
  }
  return fields;
}

/** A varint as a signed 32-bit value (negative int32s are sign-extended to 10 bytes on the wire). */
export function asInt32(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

/**
 * A varint as a signed 64-bit value. JSON numbers lose precision past 2^53, the same limit Go's
 * encoding/json hands to JavaScript clients, so large values are refused rather than rounded.
 */
export function asInt64(v: bigint): number {
  const n = BigInt.asIntN(64, v);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`int64 value ${n} does not fit in a JSON number without losing precision`);
  }
  return Number(n);
}

/** The elements of a packed repeated varint field (proto3 style; accepted alongside unpacked). */
export function readPackedVarints(buf: Buffer): bigint[] {
  const out: bigint[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const v = readVarint(buf, pos);
    out.push(v.value);
    pos = v.next;
  }
  return out;
}
