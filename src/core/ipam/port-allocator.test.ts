import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PortAllocator, parsePortRange, nodePortRangeOffset } from './port-allocator.js';
import { seededRandom } from './bitmap-allocator.js';
import { AllocationError } from './allocation-error.js';

test('parses port ranges as utilnet.ParsePortRange', () => {
  assert.deepEqual(parsePortRange('30000-32767'), { base: 30000, size: 2768 });
  assert.deepEqual(parsePortRange('30000+10'), { base: 30000, size: 11 });
  assert.deepEqual(parsePortRange('8080'), { base: 8080, size: 1 });
  assert.throws(() => parsePortRange('32767-30000'), /the end 30000 is lower than the start 32767/);
  assert.throws(() => parsePortRange('30000-70000'), /70000 is larger than 65535/);
  assert.throws(() => parsePortRange('abc'), /invalid port range "abc"/);
  assert.throws(() => parsePortRange(''), /empty/);
});

test('specific ports: upstream errors', () => {
  const p = new PortAllocator('30000-32767');
  p.allocate(30080);
  assert.throws(() => p.allocate(30080), (e: unknown) =>
    e instanceof AllocationError && e.message === 'provided port is already allocated');
  for (const bad of [29999, 32768, 80, 30000.5]) {
    assert.throws(() => p.allocate(bad), (e: unknown) => e instanceof AllocationError &&
      e.message === 'provided port is not in the valid range. The range of valid ports is 30000-32767', String(bad));
  }
  p.allocate(30000);
  p.allocate(32767);
  assert.deepEqual([...p.allocated()], [30000, 30080, 32767]);
  p.release(30080);
  p.release(12);
  assert.equal(p.used(), 2);
});

test('random ports come from the upper band first, then the static band, then full', () => {
  assert.equal(nodePortRangeOffset(2768), 86);
  assert.equal(nodePortRangeOffset(16), 0);
  assert.equal(nodePortRangeOffset(17), 16);
  assert.equal(nodePortRangeOffset(100_000), 128);
  const p = new PortAllocator('30000-32767', { random: seededRandom(5) });
  const seen = new Set<number>();
  for (let i = 0; i < 2768 - 86; i++) {
    const port = p.allocateNext();
    assert.ok(port >= 30086 && port <= 32767 && !seen.has(port), String(port));
    seen.add(port);
  }
  for (let i = 0; i < 86; i++) {
    const port = p.allocateNext();
    assert.ok(port >= 30000 && port < 30086 && !seen.has(port));
    seen.add(port);
  }
  assert.throws(() => p.allocateNext(), /^AllocationError: range is full|range is full/);
});

test('snapshot and restore', () => {
  const p = new PortAllocator('30000-32767');
  p.allocate(31000);
  const q = new PortAllocator('30000-32767');
  q.restore(p.snapshot());
  assert.ok(q.has(31000));
  assert.throws(() => new PortAllocator('30000-30010').restore(p.snapshot()), /snapshot is for port range 30000-32767/);
});
