// Datapath throughput: single-stream TCP with iperf3 (Debian's) between two plain veth-connected
// namespaces (the baseline: no bridge, no routing), between two pods of one node (veth + cni0), and
// between pods of two nodes with host-gw routes and with the flannel VXLAN overlay (pod MTU 1450) as
// podnet's overlay programs them. Everything runs in namespaces of its own (prefix pno-bench-<pid>), on
// the underlay 172.31.240.0/24 inside them; all is removed at the end, also on failure.
//
//   node --import tsx bench/throughput.ts [--seconds 5] [--runs 3]
//
// One 2-vCPU VM measures the CPU cost of each path, not NIC behaviour (offloads stay on). Prints a
// Markdown table with the median of the runs and the ratio to the baseline.
// bench: root
import { spawn } from 'node:child_process';
import { release } from 'node:os';
import { run, requireRoot } from '../src/linux/exec.js';
import { addNetns, deleteNetns } from '../src/linux/netns.js';
import { addVeth, setLinkUp } from '../src/linux/link.js';
import { addAddress } from '../src/linux/addr.js';
import { startOverlay, type RunningOverlay } from '../src/components/agent/overlay/index.js';
import { Testbed } from '../src/components/agent/overlay/testing/testbed.js';
import { MemoryNodes } from '../src/components/agent/overlay/testing/memory-nodes.js';
import type { OverlayMode } from '../src/core/overlay/index.js';
import { sized } from './support/short.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const SECONDS = flag('--seconds', sized(5, 2));
const RUNS = flag('--runs', sized(3, 1));
const PREFIX = `pno-bench-${process.pid}`;

interface Row { path: string; gbits: number[]; mtu: number }

/** One iperf3 run: server (one-off) in `serverNs` bound to `serverIP`, client in `clientNs`. Gbit/s received. */
async function iperf(clientNs: string, serverNs: string, serverIP: string): Promise<number> {
  const server = spawn('ip', ['netns', 'exec', serverNs, 'iperf3', '-s', '-1', '-B', serverIP], { stdio: 'ignore' });
  const exited = new Promise((r) => server.once('exit', r));
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const { stdout } = await run(['iperf3', '-c', serverIP, '-t', String(SECONDS), '-J'], { netns: clientNs, timeoutMs: (SECONDS + 20) * 1000 });
        return JSON.parse(stdout).end.sum_received.bits_per_second / 1e9;
      } catch (e) {
        if (attempt >= 20) throw e; // the server is still starting: connection refused
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    if (server.exitCode === null && server.pid) { try { process.kill(server.pid, 'SIGKILL'); } catch { /* gone */ } }
    await exited;
  }
}

async function measure(path: string, mtu: number, clientNs: string, serverNs: string, serverIP: string): Promise<Row> {
  const gbits: number[] = [];
  for (let i = 0; i < RUNS; i++) gbits.push(await iperf(clientNs, serverNs, serverIP));
  process.stderr.write(`${path}: ${gbits.map((g) => g.toFixed(1)).join(', ')} Gbit/s\n`);
  return { path, gbits, mtu };
}

async function baseline(): Promise<Row> {
  const a = `${PREFIX}-va`;
  const b = `${PREFIX}-vb`;
  try {
    await addNetns(a);
    await addNetns(b);
    await addVeth('eth0', 'eth0', { netns: a, peerNetns: b });
    for (const [ns, ip] of [[a, '10.99.0.1/24'], [b, '10.99.0.2/24']]) {
      await setLinkUp('lo', { netns: ns });
      await addAddress('eth0', ip, { netns: ns });
      await setLinkUp('eth0', { netns: ns });
    }
    return await measure('two namespaces joined by a veth (baseline)', 1500, a, b, '10.99.0.2');
  } finally {
    await deleteNetns(a).catch(() => {});
    await deleteNetns(b).catch(() => {});
  }
}

/** Builds a 2-node testbed, programs `mode` with podnet's overlay loop, and runs `fn` on it. */
async function withOverlay<T>(mode: OverlayMode, podMTU: number, fn: (tb: Testbed) => Promise<T>): Promise<T> {
  const tb = await Testbed.create({ prefix: `${PREFIX}-${mode === 'vxlan' ? 'vx' : 'gw'}`, nodes: 2, podsPerNode: 2, underlayCIDR: '172.31.240.0/24', clusterCIDR: '10.244.0.0/16', podMTU });
  let loops: RunningOverlay[] = [];
  try {
    const mem = new MemoryNodes(tb.nodeObjects());
    loops = await Promise.all(tb.nodes.map((n) => startOverlay(mem.source(), tb.config(mode), n.name, { netns: n.netns, resyncMs: 600_000, log: () => {} })));
    for (let i = 0; ; i++) {
      const results = await Promise.all(loops.map((l) => l.syncNow()));
      if (results.every((r) => r.skipped.length === 0)) break;
      if (i > 100) throw new Error(`the overlay did not converge: ${JSON.stringify(results.map((r) => r.skipped))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return await fn(tb);
  } finally {
    await Promise.all(loops.map((l) => l.stop()));
    await tb.destroy();
  }
}

async function main(): Promise<void> {
  requireRoot('bench/throughput.ts');
  const rows: Row[] = [];
  rows.push(await baseline());
  rows.push(...await withOverlay('host-gw', 1500, async (tb) => {
    const [n1, n2] = tb.nodes;
    return [
      await measure('pod ↔ pod, same node (veth, cni0, veth)', 1500, n1.pods[0].netns, n1.pods[1].netns, n1.pods[1].ip),
      await measure('pod ↔ pod, two nodes, host-gw', 1500, n1.pods[0].netns, n2.pods[0].netns, n2.pods[0].ip),
    ];
  }));
  rows.push(await withOverlay('vxlan', 1450, async (tb) => {
    const [n1, n2] = tb.nodes;
    return measure('pod ↔ pod, two nodes, vxlan (flannel.1)', 1450, n1.pods[0].netns, n2.pods[0].netns, n2.pods[0].ip);
  }));

  const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const base = median(rows[0].gbits);
  const { stdout: version } = await run(['iperf3', '--version']);
  console.log(`\nSingle TCP stream, iperf3 ${version.split(' ')[1]}, ${SECONDS} s × ${RUNS} runs, kernel ${release()}\n`);
  console.log('| path | pod MTU | runs (Gbit/s) | median | vs baseline |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const m = median(r.gbits);
    console.log(`| ${r.path} | ${r.mtu} | ${r.gbits.map((g) => g.toFixed(1)).join(', ')} | ${m.toFixed(1)} | ${(m / base).toFixed(2)} |`);
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
