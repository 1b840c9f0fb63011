// Kernel test: the nft transactions the CNI plugins and the overlay render from the one nft model
// (core/nft) are accepted by `nft -f`, for IPv4 and IPv6, in a throwaway namespace, and do what they
// say: ADD then DEL leaves the per-attachment chains and map elements gone, and both are idempotent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIPPrefix } from '../../src/core/net/index.js';
import { masqAddScript, masqDelKeysScript, masqDelScript } from '../../src/core/cni/masq-plan.js';
import { containerAddresses, loadPortmapConfig, portmapAddScript, portmapChains, portmapDelScript } from '../../src/core/cni/portmap-plan.js';
import { parseResult } from '../../src/core/cni/result.js';
import { renderMasquerade } from '../../src/core/overlay/masquerade.js';
import { requireRoot, run } from '../../src/linux/exec.js';
import { Scratch } from './harness.js';

const scratch = new Scratch();
const NS = `pnc-nft-${process.pid}`;
const nft = (input: string) => run(['nft', '-f', '-'], { netns: NS, input });
const list = async (fam: string, table: string) => (await run(['nft', 'list', 'table', fam, table], { netns: NS })).stdout;

before(async () => { requireRoot('the nft script kernel test'); await scratch.addNetns(NS); });
after(() => scratch.cleanup());

test('portmap ADD and DEL, IPv4 and IPv6', async () => {
  const prev = parseResult({
    cniVersion: '1.0.0', interfaces: [{ name: 'eth0', sandbox: '/run/netns/p' }],
    ips: [{ interface: 0, address: '10.99.0.2/24' }, { interface: 0, address: 'fd00:99::2/64' }],
  });
  const cfg = loadPortmapConfig({ name: 'n', nftTable: 'pnc_hp', runtimeConfig: { portMappings: [
    { hostPort: 8080, containerPort: 80, protocol: 'tcp' }, { hostPort: 5353, containerPort: 53, protocol: 'udp' },
  ] } });
  const ch = portmapChains('n/c1/eth0');
  const add = portmapAddScript(cfg, 'n/c1/eth0', containerAddresses(prev));
  await nft(add);
  await nft(add);
  assert.match(await list('ip', 'pnc_hp'), /tcp dport 8080 dnat to 10\.99\.0\.2:80 comment "n\/c1\/eth0"/);
  assert.match(await list('ip6', 'pnc_hp'), /udp dport 5353 dnat to \[fd00:99::2\]:53/);
  await nft(portmapDelScript('pnc_hp', 'n/c1/eth0', [4, 6]));
  await nft(portmapDelScript('pnc_hp', 'n/c1/eth0', [4, 6]));
  for (const fam of ['ip', 'ip6']) assert.doesNotMatch(await list(fam, 'pnc_hp'), new RegExp(ch.pre));
});

test('ipMasq ADD and DEL (blind and by key), IPv4 and IPv6', async () => {
  const addrs = [parseIPPrefix('10.99.1.2/24'), parseIPPrefix('fd00:98::2/64')];
  await nft(masqAddScript('pnc_m', addrs, 'n/c/eth0'));
  assert.match(await list('ip', 'pnc_m'), /10\.99\.1\.2 comment "n\/c\/eth0" : jump masq_/);
  assert.match(await list('ip6', 'pnc_m'), /fd00:98::2 comment "n\/c\/eth0" : jump masq_/);
  await nft(masqDelScript('pnc_m', addrs));
  await nft(masqDelScript('pnc_m', addrs));
  assert.doesNotMatch(await list('ip', 'pnc_m'), /10\.99\.1\.2/);
  await nft(masqAddScript('pnc_m', addrs, 'n/c/eth0'));
  await nft(masqDelKeysScript('pnc_m', addrs.map((a) => a.ip)));
  assert.doesNotMatch(await list('ip6', 'pnc_m'), /fd00:98::2/);
});

test('the overlay masquerade table', async () => {
  const text = renderMasquerade({ podCIDR: '10.244.1.0/24', clusterCIDR: '10.244.0.0/16' });
  await nft(text);
  await nft(text);
  assert.match(await list('ip', 'podnet-nat'), /ip saddr 10\.244\.1\.0\/24 ip daddr != 10\.244\.0\.0\/16 masquerade/);
});
