// Per-connection latency through a ClusterIP (root) with 0, 1,000 and 10,000 other Services in the
// table, in podnet's maps layout and kube-proxy's chain layout, against connecting to the pod directly.
// Client, node and server are namespaces of a ProxyTestbed `pnpl<pid>` (no loopback shortcuts): each
// connection is a new TCP handshake DNATed by the node, answered by the server, timed in the client.
//
//   node --import tsx bench/proxy-latency.ts                    defaults: 1000 connections per case
//   node --import tsx bench/proxy-latency.ts --connections 300 --sizes 0,1000 --layouts maps
// bench: root
import { parseArgs } from 'node:util';
import {
  endpoint, endpointSlice, planServiceRules, renderRuleset, service, syntheticCluster, type ProxyOptions,
} from '../src/core/proxy/index.js';
import { ProxyTestbed } from '../src/components/proxy/testbed.js';
import { requireRoot } from '../src/linux/exec.js';
import { nftApply, nftDeleteTable } from '../src/linux/nft.js';
import { sized } from './support/short.js';

const { values: args } = parseArgs({ options: {
  connections: { type: 'string', default: sized('1000', '200') },
  short: { type: 'boolean', default: false },
  sizes: { type: 'string', default: '0,1000,10000' },
  layouts: { type: 'string', default: 'maps,chains' },
} });
const CONNECTIONS = Number(args.connections);
const TABLE = 'podnet-test-latency';
const TARGET_IP = '10.111.0.1';
const NODE = { name: 'node-1', ips: ['192.168.77.1'], clusterCIDR: '10.244.0.0/16' };

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

interface Row { layout: string; services: number; p50: number; p90: number; p99: number; failed: number; loadS?: number }

async function measure(bed: ProxyTestbed, ip: string, port: number): Promise<Omit<Row, 'layout' | 'services'>> {
  await bed.connect(bed.client, 'tcp', ip, port, 50); // warm up: ARP, page cache, python
  const r = await bed.connect(bed.client, 'tcp', ip, port, CONNECTIONS);
  const ok = r.filter((x) => x.reply).map((x) => x.ms * 1000);
  return { p50: pct(ok, 50), p90: pct(ok, 90), p99: pct(ok, 99), failed: r.length - ok.length };
}

async function main(): Promise<void> {
  requireRoot('bench/proxy-latency.ts');
  const bed = new ProxyTestbed(`pnpl${process.pid % 100000}`);
  const rows: Row[] = [];
  try {
    await bed.create(1);
    await bed.startServers(8080);
    const server = bed.servers[0];
    rows.push({ layout: 'direct to pod IP, no table', services: 0, ...(await measure(bed, server.ip, 8080)) });
    for (const layout of args.layouts!.split(',') as Array<'maps' | 'chains'>) {
      for (const size of args.sizes!.split(',').map(Number)) {
        const others = syntheticCluster(size, 5);
        const target = service('latency', 'target', { clusterIP: TARGET_IP, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] });
        const slice = endpointSlice('latency', 'target', [{ name: 'http', port: 8080, protocol: 'TCP' }], [endpoint(server.ip, 'node-1')]);
        const options: ProxyOptions = { layout, table: TABLE };
        const plan = planServiceRules({ services: [...others.services, target], endpointSlices: [...others.endpointSlices, slice], node: NODE, options });
        await nftDeleteTable('ip', TABLE, { netns: bed.node });
        process.stderr.write(`${layout}: loading ${size} other services...\n`);
        const loadMs = await nftApply(renderRuleset(plan), { netns: bed.node, timeoutMs: 30 * 60_000 });
        rows.push({ layout, services: size, loadS: loadMs / 1000, ...(await measure(bed, TARGET_IP, 80)) });
        process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
      }
    }
    await nftDeleteTable('ip', TABLE, { netns: bed.node });
  } finally {
    await bed.destroy();
  }
  console.log(`\nPer-connection latency (TCP connect + first reply, python client), ${CONNECTIONS} connections per case, µs`);
  console.log('| path | other services | p50 | p90 | p99 | failed |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.layout} | ${r.services} | ${r.p50.toFixed(0)} | ${r.p90.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.failed} |`);
}

await main();
