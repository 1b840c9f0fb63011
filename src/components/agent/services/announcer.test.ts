// Kernel test (root): a "host" namespace with a bridge and two "node" namespaces on it, as podnet's
// underlay. The node told to announce a LoadBalancer address answers ARP for it; after a move the host's
// neighbour entry follows at once (gratuitous ARP), and withdrawing leaves the node's own address alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { requireRoot } from '../../../linux/exec.js';
import { LoadBalancerAnnouncer } from './announcer.js';

const HOST = 'pns-an-host', N1 = 'pns-an-n1', N2 = 'pns-an-n2';
const LB = '10.123.0.200';
const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });
const inNs = (ns: string, ...argv: string[]) => execFileSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function cleanup(): void {
  for (const ns of [HOST, N1, N2]) { try { ip('netns', 'delete', ns); } catch { /* absent */ } }
}

function mac(ns: string): string {
  return JSON.parse(ip('-n', ns, '-j', 'link', 'show', 'dev', 'eth0'))[0].address;
}

/** What the host's neighbour table says about the LB address (after it talked to it). */
function hostNeigh(): string | undefined {
  const entries = JSON.parse(ip('-n', HOST, '-j', 'neigh', 'show', LB)) as Array<{ lladdr?: string }>;
  return entries[0]?.lladdr;
}

/** Opens a TCP connection from the host to the LB address: refused (RST) proves ARP was answered. */
function touch(): string {
  try {
    inNs(HOST, 'curl', '-s', '-m', '2', `http://${LB}:1/`);
    return 'connected';
  } catch (e) {
    return (e as { status?: number }).status === 7 ? 'refused' : 'timeout';
  }
}

before(() => {
  requireRoot('the LoadBalancer announcer kernel test');
  cleanup();
  ip('netns', 'add', HOST);
  ip('-n', HOST, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', HOST, 'addr', 'add', '10.123.0.1/24', 'dev', 'br0');
  ip('-n', HOST, 'link', 'set', 'br0', 'up');
  [N1, N2].forEach((ns, i) => {
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', `up${i}`, 'netns', HOST);
    ip('-n', HOST, 'link', 'set', `up${i}`, 'master', 'br0', 'up');
    ip('-n', ns, 'addr', 'add', `10.123.0.${11 + i}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    inNs(ns, 'sysctl', '-qw', 'net.ipv4.conf.eth0.arp_notify=1');
  });
});

after(cleanup);

test('one node announces; the address moves with gratuitous ARP; withdrawal removes only labelled /32s', async () => {
  const a1 = new LoadBalancerAnnouncer({ netns: N1 });
  const a2 = new LoadBalancerAnnouncer({ netns: N2 });
  const wanted = new Map([[LB, 'default/web']]);

  assert.deepEqual(await a1.reconcile(wanted), { added: [LB], removed: [] });
  assert.deepEqual(await a1.reconcile(wanted), { added: [], removed: [] });        // idempotent
  assert.deepEqual(await a1.announced(), [LB]);
  // No route was added for it, and the node's own address stays the source towards the underlay.
  assert.doesNotMatch(ip('-n', N1, 'route', 'show'), /10\.123\.0\.200/);
  assert.match(ip('-n', N1, 'route', 'get', '10.123.0.1'), /src 10\.123\.0\.11/);
  assert.equal(touch(), 'refused');
  assert.equal(hostNeigh(), mac(N1));

  // Move: node-1 withdraws, node-2 announces; the host learns node-2's MAC without asking.
  assert.deepEqual(await a1.reconcile(new Map()), { added: [], removed: [LB] });
  await a2.reconcile(wanted);
  const deadline = Date.now() + 2000;
  while (hostNeigh() !== mac(N2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(hostNeigh(), mac(N2), 'the host neighbour entry follows the gratuitous ARP');
  assert.equal(touch(), 'refused');

  // Addresses someone else put on eth0 are not ours to remove.
  ip('-n', N2, 'addr', 'add', '10.123.0.250/32', 'dev', 'eth0');
  await a2.withdrawAll();
  assert.deepEqual(await a2.announced(), []);
  assert.match(ip('-n', N2, '-4', 'addr', 'show', 'dev', 'eth0'), /10\.123\.0\.250\/32/);
  assert.doesNotMatch(ip('-n', N2, '-4', 'addr', 'show', 'dev', 'eth0'), /10\.123\.0\.200/);
  // An address the link already has (not ours) is reported, not taken over or removed.
  const lines: string[] = [];
  const a2log = new LoadBalancerAnnouncer({ netns: N2, log: (l) => lines.push(l) });
  assert.deepEqual(await a2log.reconcile(new Map([['10.123.0.12', 'default/clash']])), { added: [], removed: [] });
  assert.match(lines.join('\n'), /already has that address/);
});
