import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CIDRAllocator } from './cidr-allocator.js';
import { AllocationError } from './allocation-error.js';

test('hands out node CIDRs in order from the cluster CIDR', () => {
  const a = new CIDRAllocator('10.244.0.0/16', 24);
  assert.equal(a.size, 256);
  assert.equal(a.allocateNext(), '10.244.0.0/24');
  assert.equal(a.allocateNext(), '10.244.1.0/24');
  assert.equal(a.allocateNext(), '10.244.2.0/24');
});

test('occupies existing assignments and continues round robin after release', () => {
  const a = new CIDRAllocator('10.244.0.0/16', 24);
  a.occupy('10.244.0.0/24');
  a.occupy('10.244.2.0/24');
  assert.equal(a.allocateNext(), '10.244.1.0/24');
  assert.equal(a.allocateNext(), '10.244.3.0/24');
  a.release('10.244.1.0/24');
  // Not reused at once: the next one follows the last handed out.
  assert.equal(a.allocateNext(), '10.244.4.0/24');
  assert.ok(!a.has('10.244.1.0/24'));
  assert.throws(() => a.occupy('10.245.0.0/24'), (e: unknown) =>
    e instanceof AllocationError && e.message === 'cidr 10.245.0.0/24 is out the range of cluster cidr 10.244.0.0/16');
  assert.throws(() => a.allocate('10.244.3.0/24'), /CIDR 10.244.3.0\/24 is already allocated/);
  a.allocate('10.244.200.0/24');
  assert.ok(a.has('10.244.200.0/24'));
});

test('a larger block occupies every node CIDR it covers', () => {
  const a = new CIDRAllocator('10.244.0.0/16', 24);
  a.occupy('10.244.0.0/22');
  assert.equal(a.used(), 4);
  assert.equal(a.allocateNext(), '10.244.4.0/24');
});

test('exhaustion is an AllocationError that says how to fix it, and wraps round robin', () => {
  const a = new CIDRAllocator('10.244.0.0/22', 24);
  const got = [a.allocateNext(), a.allocateNext(), a.allocateNext(), a.allocateNext()];
  assert.deepEqual(got, ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24', '10.244.3.0/24']);
  assert.throws(() => a.allocateNext(), (e: unknown) => e instanceof AllocationError && e.kind === 'Full' &&
    /no remaining CIDRs left to allocate/.test(e.message) && /larger cluster CIDR/.test(e.message));
  a.release('10.244.1.0/24');
  assert.equal(a.allocateNext(), '10.244.1.0/24');
});

test('rejects mask sizes that do not fit', () => {
  assert.throws(() => new CIDRAllocator('10.244.0.0/16', 8), /must be between 16 and 32/);
  assert.throws(() => new CIDRAllocator('10.0.0.0/8', 26), /more than 65536 node CIDRs/);
  const v6 = new CIDRAllocator('fd00:10:244::/56', 64);
  assert.equal(v6.allocateNext(), 'fd00:10:244::/64');
  assert.equal(v6.allocateNext(), 'fd00:10:244:1::/64');
});
