import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asInt32, asInt64, readFields, readPackedVarints, readVarint, WireError } from './wire.js';

test('varints: one byte, multi-byte, the full 64 bits, and ten-byte negative int32s', () => {
  assert.deepEqual(readVarint(Buffer.from([0x05]), 0), { value: 5n, next: 1 });
  assert.deepEqual(readVarint(Buffer.from([0xac, 0x02]), 0), { value: 300n, next: 2 });
  const max = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.equal(readVarint(max, 0).value, 2n ** 64n - 1n);
  assert.equal(asInt32(readVarint(max, 0).value), -1);
  assert.equal(asInt64(readVarint(max, 0).value), -1);
});

test('malformed varints and fields are WireErrors that say where', () => {
  assert.throws(() => readVarint(Buffer.from([0x80, 0x80]), 0), WireError);
  assert.throws(() => readVarint(Buffer.alloc(11, 0x80), 0), /longer than 10 bytes/);
  assert.throws(() => readFields(Buffer.from([0x00, 0x01])), /field number 0/);
  assert.throws(() => readFields(Buffer.from([0x0a, 0x05, 0x61])), /claims 5 bytes but only 1 remain at byte 2/);
  assert.throws(() => readFields(Buffer.from([0x0b])), /unsupported wire type 3 for field 1/);
  assert.throws(() => readFields(Buffer.from([0x09, 0x00])), /truncated 64-bit value/);
});

test('fields come back in wire order with their raw values', () => {
  const fields = readFields(Buffer.from([0x08, 0x96, 0x01, 0x12, 0x02, 0x68, 0x69, 0x1d, 1, 2, 3, 4, 0x08, 0x01]));
  assert.deepEqual(fields.map((f) => [f.number, f.wire]), [[1, 0], [2, 2], [3, 5], [1, 0]]);
  assert.equal(fields[0].value, 150n);
  assert.equal((fields[1].value as Buffer).toString(), 'hi');
});

test('int64 values beyond what a JSON number holds exactly are refused, not rounded', () => {
  assert.equal(asInt64(2n ** 53n - 1n), Number.MAX_SAFE_INTEGER);
  assert.throws(() => asInt64(2n ** 60n), RangeError);
  assert.deepEqual(readPackedVarints(Buffer.from([0x01, 0xac, 0x02])), [1n, 300n]);
});
