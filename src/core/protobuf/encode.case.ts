// Test-only (excluded from the build): a minimal protobuf writer, so tests can build messages field by
// field, exactly as gogo-protobuf writes them (or deliberately malformed), without a Go toolchain.

export function varint(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return Buffer.from(out);
}

const tag = (number: number, wire: number) => varint((number << 3) | wire);

/** A varint field (int32, int64, bool); negative numbers take ten bytes, as Go writes them. */
export function vint(number: number, value: number | bigint | boolean): Buffer {
  return Buffer.concat([tag(number, 0), varint(typeof value === 'boolean' ? (value ? 1 : 0) : value)]);
}

/** A length-delimited field: a string, bytes or an embedded message. */
export function bytes(number: number, value: string | Buffer): Buffer {
  const b = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([tag(number, 2), varint(b.length), b]);
}

export function msg(number: number, ...parts: Buffer[]): Buffer {
  return bytes(number, Buffer.concat(parts));
}

/** One map entry {key=1, value=2}. */
export function entry(number: number, key: string, value: string | Buffer, valueIsMessage = false): Buffer {
  return msg(number, bytes(1, key), valueIsMessage ? msg(2, value as Buffer) : bytes(2, value));
}

export function fixed32(number: number): Buffer {
  return Buffer.concat([tag(number, 5), Buffer.alloc(4)]);
}

export function rawTag(number: number, wire: number): Buffer {
  return tag(number, wire);
}

/** `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}, raw}. */
export function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    msg(1, bytes(1, apiVersion), bytes(2, kind)),
    bytes(2, raw),
    bytes(3, ''),
    bytes(4, ''),
  ]);
}
