import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BitmapAllocator, seededRandom } from './bitmap-allocator.js';

test('allocate, has, release, count', () => {
  const b = new BitmapAllocator(100);
  assert.equal(b.allocate(5), true);
  assert.equal(b.allocate(5), false);
  assert.ok(b.has(5));
  assert.equal(b.count(), 1);
  assert.equal(b.free(), 99);
  b.release(5);
  b.release(5);
  b.release(1000);
  assert.equal(b.count(), 0);
  assert.throws(() => b.allocate(100), RangeError);
  assert.throws(() => b.allocate(-1), RangeError);
  assert.equal(b.has(100), false);
});

test('first free and wrap-around scans cross word boundaries', () => {
  const b = new BitmapAllocator(70);
  for (let i = 0; i < 65; i++) b.allocate(i);
  assert.equal(b.allocateFirstFree(), 65);
  assert.equal(b.allocateFrom(69), 69);
  assert.equal(b.allocateFrom(69), 66); // wraps to the first free after the start
  b.release(3);
  assert.equal(b.findFree(), 3);
  assert.equal(b.findFree(4), 67);
  assert.equal(b.findFree(4, 67), -1);
});

test('fills completely with random allocation, every index exactly once, then reports full', () => {
  for (const size of [1, 31, 32, 33, 1000]) {
    const b = new BitmapAllocator(size, { random: seededRandom(size) });
    const seen = new Set<number>();
    for (let i = 0; i < size; i++) {
      const x = b.allocateRandom(Math.floor(size / 4));
      assert.ok(x >= 0 && x < size && !seen.has(x), `size ${size}: got ${x}`);
      seen.add(x);
    }
    assert.equal(b.allocateRandom(), -1);
    assert.equal(b.count(), size);
  }
});

test('random allocation with an offset uses the upper band until it is full', () => {
  const b = new BitmapAllocator(64, { random: seededRandom(7) });
  for (let i = 0; i < 48; i++) assert.ok(b.allocateRandom(16) >= 16);
  assert.ok(b.allocateRandom(16) < 16);
});

test('snapshot and restore', () => {
  const a = new BitmapAllocator(1000);
  for (const i of [0, 31, 32, 500, 999]) a.allocate(i);
  const b = new BitmapAllocator(1000);
  b.restore(a.snapshot());
  assert.deepEqual([...b.usedIndices()], [0, 31, 32, 500, 999]);
  assert.equal(b.count(), 5);
  assert.throws(() => new BitmapAllocator(10).restore(a.snapshot()), /snapshot has 128 bytes, expected 4/);
});

test('1M entries: allocate all but a few, find the stragglers, release (performance sanity)', () => {
  const size = 1 << 20;
  const b = new BitmapAllocator(size, { random: seededRandom(1) });
  for (let i = 0; i < size; i++) b.allocate(i);
  assert.equal(b.allocateRandom(), -1);
  const holes = [12345, 777777, size - 1];
  for (const h of holes) b.release(h);
  const got = [b.allocateRandom(256), b.allocateRandom(256), b.allocateRandom(256)].sort((x, y) => x - y);
  assert.deepEqual(got, holes);
  // Half full at random: random allocation still finds free indices quickly.
  const c = new BitmapAllocator(size, { random: seededRandom(2) });
  for (let i = 0; i < size / 2; i++) assert.ok(c.allocateRandom(256) >= 0);
  assert.equal(c.count(), size / 2);
  let n = 0;
  for (const _ of c.usedIndices()) n++;
  assert.equal(n, size / 2);
  const d = new BitmapAllocator(size);
  d.restore(c.snapshot());
  assert.equal(d.count(), size / 2);
});
