// Kernel test (root): conntrack entries made with `conntrack -I` in a throwaway namespace stand for UDP
// flows through a node; the cleaner deletes the ones towards a gone endpoint (and the one made before
// the rules existed) and keeps the live flow, the TCP flow and other services' flows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { requireRoot } from '../../../linux/exec.js';
import { cleanStaleUdpEntries, StaleUdpCleaner } from './conntrack.js';
import { endpoint, endpointSlice, service } from './objects.case.js';

const NS = 'pns-ct';
const ct = (...args: string[]) => execFileSync('ip', ['netns', 'exec', NS, 'conntrack', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function insert(proto: string, src: string, dst: string, sport: number, dport: number, replySrc: string, replySport: number): void {
  ct('-I', '-p', proto, '-s', src, '-d', dst, '--sport', String(sport), '--dport', String(dport),
    '--reply-src', replySrc, '--reply-dst', src, '--reply-port-src', String(replySport), '--reply-port-dst', String(sport),
    '-t', '120', ...(proto === 'tcp' ? ['--state', 'ESTABLISHED'] : []));
}

function remaining(): string[] {
  return ct('-L').trim().split('\n').filter(Boolean)
    .map((l) => { const w = l.split(/\s+/).filter((x) => /^(src|dst|dport)=/.test(x)); return `${l.split(/\s+/)[0]} ${w.slice(0, 3).join(' ')} ${w[3]}`; })
    .sort();
}

before(() => {
  requireRoot('the conntrack cleanup kernel test');
  try { execFileSync('ip', ['netns', 'delete', NS]); } catch { /* absent */ }
  execFileSync('ip', ['netns', 'add', NS]);
});
after(() => { try { execFileSync('ip', ['netns', 'delete', NS]); } catch { /* gone */ } });

test('stale UDP entries towards gone endpoints are deleted, live ones kept', async () => {
  insert('udp', '10.244.1.5', '10.96.0.10', 40000, 53, '10.244.2.3', 53);     // live endpoint
  insert('udp', '10.244.1.6', '10.96.0.10', 40001, 53, '10.244.2.9', 53);     // deleted pod
  insert('udp', '10.244.1.7', '10.96.0.10', 40002, 53, '10.96.0.10', 53);     // before the rules: never DNATed
  insert('udp', '172.31.238.1', '172.31.238.11', 5000, 30053, '10.244.2.9', 53); // NodePort → deleted pod
  insert('udp', '10.244.1.8', '10.96.0.77', 5000, 53, '10.244.3.3', 53);      // another service without endpoints
  insert('tcp', '10.244.1.5', '10.96.0.10', 41000, 53, '10.244.2.9', 53);     // TCP: not this cleaner's business

  const services = [
    service('kube-system', 'dns', '10.96.0.10', [{ name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }], { type: 'NodePort' }),
    service('default', 'other', '10.96.0.77', [{ port: 53, protocol: 'UDP' }]),
  ];
  const slices = [endpointSlice('kube-system', 'dns', [endpoint('10.244.2.3', { nodeName: 'n2' })], [{ name: 'dns', port: 53, protocol: 'UDP' }])];
  const deleted = await cleanStaleUdpEntries(services, slices, { netns: NS });
  assert.equal(deleted, 3);
  assert.deepEqual(remaining(), [
    'tcp src=10.244.1.5 dst=10.96.0.10 dport=53 src=10.244.2.9',
    'udp src=10.244.1.5 dst=10.96.0.10 dport=53 src=10.244.2.3',
    'udp src=10.244.1.8 dst=10.96.0.77 dport=53 src=10.244.3.3',
  ]);
  // Nothing stale any more: a second pass deletes nothing (conntrack exits 1 for "0 deleted"; not an error).
  assert.equal(await cleanStaleUdpEntries(services, slices, { netns: NS }), 0);
});

test('no UDP service with endpoints: conntrack is not even listed', async () => {
  assert.equal(await cleanStaleUdpEntries([service('default', 't', '10.96.0.5', [{ port: 80, protocol: 'TCP' }])], [], { netns: 'pns-does-not-exist' }), 0);
});

test('StaleUdpCleaner lists again only when the UDP frontends or their endpoints changed', async () => {
  ct('-F');
  const services = [service('default', 'u', '10.96.0.20', [{ port: 9000, protocol: 'UDP' }])];
  const slice = (ips: string[]) => [endpointSlice('default', 'u', ips.map((ip) => endpoint(ip)), [{ port: 9000, protocol: 'UDP' }])];
  const cleaner = new StaleUdpCleaner({ netns: NS });
  insert('udp', '10.244.1.5', '10.96.0.20', 40000, 9000, '10.244.2.9', 9000);
  assert.equal(await cleaner.clean(services, slice(['10.244.2.3'])), 1);
  // Same frontends: not even listed, so an entry made meanwhile stays (no new entry can be stale then).
  insert('udp', '10.244.1.6', '10.96.0.20', 40001, 9000, '10.244.2.9', 9000);
  assert.equal(await cleaner.clean(services, slice(['10.244.2.3'])), 0);
  assert.equal(remaining().length, 1);
  assert.equal(await cleaner.clean(services, slice(['10.244.2.3', '10.244.2.4'])), 1);
  assert.equal(remaining().length, 0);
});
