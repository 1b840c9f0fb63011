import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceIPAllocator, serviceIPRangeOffset } from './service-ip-allocator.js';
import { seededRandom } from './bitmap-allocator.js';
import { AllocationError } from './allocation-error.js';
import { CIDR, parseIPv4 } from '../net/index.js';

test('the /12 range: size, kubernetes IP, static band', () => {
  const a = new ServiceIPAllocator('10.96.0.0/12');
  assert.equal(a.size, (1 << 20) - 2);
  assert.equal(a.kubernetesIP, '10.96.0.1');
  assert.equal(serviceIPRangeOffset(CIDR.parse('10.96.0.0/12')), 256);
  assert.equal(serviceIPRangeOffset(CIDR.parse('10.0.0.0/24')), 16);
  assert.equal(serviceIPRangeOffset(CIDR.parse('10.0.0.0/28')), 0);
  assert.equal(serviceIPRangeOffset(CIDR.parse('10.0.0.0/27')), 16);
  assert.equal(a.staticBandEnd, '10.96.1.0');
});

test('allocate: specific addresses and upstream error texts', () => {
  const a = new ServiceIPAllocator('10.96.0.0/12');
  a.allocate('10.96.0.10');
  assert.ok(a.has('10.96.0.10'));
  assert.throws(() => a.allocate('10.96.0.10'), (e: unknown) =>
    e instanceof AllocationError && e.kind === 'Allocated' && e.message === 'provided IP is already allocated');
  const notInRange = 'provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12';
  for (const ip of ['10.112.0.1', '10.96.0.0', '10.111.255.255', '192.168.1.1', 'fd00::1']) {
    assert.throws(() => a.allocate(ip), (e: unknown) => e instanceof AllocationError && e.message === notInRange, ip);
  }
  assert.throws(() => a.allocate('nope'), /"nope" is not a valid IP address/);
  a.allocate('10.111.255.254'); // last usable
  a.release('10.96.0.10');
  assert.ok(!a.has('10.96.0.10'));
  a.release('1.2.3.4'); // ignored
  assert.equal(a.used(), 1);
});

test('allocateNext: prefers the upper band, never the network, broadcast or (while free) kubernetes address', () => {
  const a = new ServiceIPAllocator('10.96.0.0/24', { random: seededRandom(3) });
  // 254 usable; static band 16 addresses (.1-.16).
  const got: string[] = [];
  for (let i = 0; i < 254 - 16; i++) got.push(a.allocateNext());
  for (const ip of got) {
    const last = parseIPv4(ip) & 255;
    assert.ok(last >= 17 && last <= 254, ip);
  }
  // Lower band next; .1 stays free for the kubernetes Service until nothing else is left.
  for (let i = 0; i < 15; i++) assert.notEqual(a.allocateNext(), '10.96.0.1');
  assert.ok(!a.has('10.96.0.1'));
  a.allocate('10.96.0.1');
  assert.equal(a.free(), 0);
  assert.throws(() => a.allocateNext(), (e: unknown) => e instanceof AllocationError && e.kind === 'Full' && /^range is full/.test(e.message));
  // With everything else taken, the kubernetes address is handed out rather than failing.
  a.release('10.96.0.1');
  assert.equal(a.allocateNext(), '10.96.0.1');
});

test('occupyFromServices rebuilds state after a restart and reports what it could not take', () => {
  const a = new ServiceIPAllocator('10.96.0.0/12');
  const problems = a.occupyFromServices([
    { spec: { clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'] } },
    { spec: { clusterIP: '10.96.0.10' } },
    { spec: { clusterIP: 'None', clusterIPs: ['None'] } },
    { spec: {} },
    { spec: { clusterIPs: ['10.100.0.5', 'fd00::5'] } },
    { spec: { clusterIP: '10.96.0.10' } },
    { spec: { clusterIP: '172.16.0.1' } },
  ]);
  assert.deepEqual([...a.allocated()], ['10.96.0.1', '10.96.0.10', '10.100.0.5']);
  assert.equal(problems.length, 2);
  assert.match(problems[0], /10.96.0.10: provided IP is already allocated/);
  assert.match(problems[1], /172.16.0.1: provided IP is not in the valid range/);
});

test('snapshot and restore keep the allocation', () => {
  const a = new ServiceIPAllocator('10.96.0.0/16');
  a.allocate('10.96.3.4');
  const b = new ServiceIPAllocator('10.96.0.0/16');
  b.restore(a.snapshot());
  assert.ok(b.has('10.96.3.4'));
  assert.throws(() => new ServiceIPAllocator('10.97.0.0/16').restore(a.snapshot()), /snapshot is for range 10.96.0.0\/16/);
});

test('IPv6 ranges are capped at 65536 addresses as upstream', () => {
  const a = new ServiceIPAllocator('fd00:10:96::/108');
  assert.equal(a.size, 65536);
  assert.equal(a.kubernetesIP, 'fd00:10:96::1');
  const ip = a.allocateNext();
  assert.ok(CIDR.parse('fd00:10:96::/108').contains(ip));
  a.allocate('fd00:10:96::a');
  assert.throws(() => a.allocate('fd00:10:96::a'), /already allocated/);
});

test('tiny ranges: /32 has nothing to give, /31 nothing, /30 two addresses', () => {
  assert.equal(new ServiceIPAllocator('10.0.0.0/32').size, 0);
  assert.throws(() => new ServiceIPAllocator('10.0.0.0/32').allocateNext(), /range is full/);
  const a = new ServiceIPAllocator('10.0.0.0/30');
  assert.equal(a.size, 2);
  assert.equal(a.allocateNext(), '10.0.0.2'); // .1 is kept for kubernetes while anything else is free
  assert.equal(a.allocateNext(), '10.0.0.1');
});

test('fills the whole /12 (1M addresses) with allocateNext without a repeat (performance sanity)', () => {
  const a = new ServiceIPAllocator('10.96.0.0/12', { random: seededRandom(9) });
  const seen = new Uint8Array(1 << 20);
  for (let i = 0; i < a.size; i++) {
    const off = parseIPv4(a.allocateNext()) - parseIPv4('10.96.0.0');
    assert.ok(off > 0 && off < (1 << 20) - 1 && !seen[off]);
    seen[off] = 1;
  }
  assert.equal(a.free(), 0);
  assert.throws(() => a.allocateNext(), /range is full/);
});
