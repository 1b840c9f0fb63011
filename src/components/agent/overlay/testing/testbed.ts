// A small podnet-shaped network for the overlay's kernel tests and throughput bench, in namespaces of
// its own: an underlay namespace holding a bridge `br0` with the ".1" address (the host of a podnet
// cluster, and "outside" the pod network), node namespaces joined to it by veth (eth0 .11, .12, ...,
// default route via .1, forwarding on), and in each node a `cni0` bridge (<podCIDR>.1) with pod
// namespaces wired to it by veth (eth0 <podCIDR>.2, .3, ..., default route via cni0), as the bridge CNI
// plugin wires them. Every name starts with the caller's prefix; destroy() removes it all.
import { parseCIDR } from '../../../../core/net/index.js';
import type { OverlayMode, OverlayNode } from '../../../../core/overlay/index.js';
import { spawnAttached, type ChildProcess } from '../../../../linux/process.js';
import { addNetns, deleteNetns, listNetns } from '../../../../linux/netns.js';
import { addBridge, addVeth, setLinkMaster, setLinkUp } from '../../../../linux/link.js';
import { addAddress } from '../../../../linux/addr.js';
import { addRoute } from '../../../../linux/route.js';
import { setSysctl } from '../../../../linux/sysctl.js';
import { requireRoot } from '../../../../linux/exec.js';

export interface TestbedOptions {
  /** Prefix of every namespace, e.g. `pno-ov-1234`; at most 40 characters. */
  prefix: string;
  nodes: number;
  podsPerNode: number;
  /** A /24 of the underlay, e.g. 172.31.243.0/24. */
  underlayCIDR: string;
  clusterCIDR: string;
  /** MTU of the pod veths (1450 under vxlan). */
  podMTU: number;
}

export interface TestPod { netns: string; ip: string }
export interface TestNode { name: string; netns: string; ip: string; podCIDR: string; pods: TestPod[] }

export class Testbed {
  readonly underlay: string;
  /** The underlay's own address (the "host"), outside the cluster CIDR. */
  readonly outsideIP: string;
  readonly nodes: TestNode[] = [];
  private readonly procs: ChildProcess[] = [];

  private constructor(readonly opts: TestbedOptions) {
    if (opts.prefix.length > 40 || !/^pno[a-z0-9-]*$/.test(opts.prefix)) throw new Error(`testbed prefix ${JSON.stringify(opts.prefix)} must start with pno and have at most 40 of [a-z0-9-]`);
    const ul = parseCIDR(opts.underlayCIDR);
    const cluster = parseCIDR(opts.clusterCIDR);
    this.underlay = `${opts.prefix}-ul`;
    this.outsideIP = ul.nth(1);
    for (let i = 1; i <= opts.nodes; i++) {
      const name = `${opts.prefix}-n${i}`;
      const podCIDR = cluster.subnet(24, i);
      const pods = Array.from({ length: opts.podsPerNode }, (_, p) => ({ netns: `${name}-p${p + 1}`, ip: podCIDR.nth(p + 2) }));
      this.nodes.push({ name, netns: name, ip: ul.nth(10 + i), podCIDR: podCIDR.toString(), pods });
    }
  }

  /** Builds it; on failure removes what was made and rethrows. */
  static async create(opts: TestbedOptions): Promise<Testbed> {
    requireRoot('the overlay testbed');
    const tb = new Testbed(opts);
    try {
      await tb.build();
    } catch (e) {
      await tb.destroy();
      throw e;
    }
    return tb;
  }

  private async build(): Promise<void> {
    const prefixLen = this.opts.underlayCIDR.split('/')[1];
    const ul = { netns: this.underlay };
    await addNetns(this.underlay);
    await setLinkUp('lo', ul);
    await addBridge('br0', ul);
    await addAddress('br0', `${this.outsideIP}/${prefixLen}`, ul);
    await setLinkUp('br0', ul);
    await Promise.all(this.nodes.map(async (node, i) => {
      const inNode = { netns: node.netns };
      await addNetns(node.netns);
      await addVeth(`n${i + 1}`, 'eth0', { ...ul, peerNetns: node.netns });
      await setLinkMaster(`n${i + 1}`, 'br0', ul);
      await setLinkUp(`n${i + 1}`, ul);
      await setLinkUp('lo', inNode);
      await addAddress('eth0', `${node.ip}/${prefixLen}`, inNode);
      await setLinkUp('eth0', inNode);
      await addRoute({ dst: 'default', via: this.outsideIP, dev: 'eth0' }, inNode);
      await setSysctl('net.ipv4.ip_forward', 1, inNode);
      const cidr = parseCIDR(node.podCIDR);
      await addBridge('cni0', { ...inNode, mtu: this.opts.podMTU });
      await addAddress('cni0', `${cidr.nth(1)}/24`, inNode);
      await setLinkUp('cni0', inNode);
      for (const [p, pod] of node.pods.entries()) {
        const inPod = { netns: pod.netns };
        await addNetns(pod.netns);
        await addVeth(`veth${p + 1}`, 'eth0', { ...inNode, peerNetns: pod.netns, mtu: this.opts.podMTU });
        await setLinkMaster(`veth${p + 1}`, 'cni0', inNode);
        await setLinkUp(`veth${p + 1}`, inNode);
        await setLinkUp('lo', inPod);
        await addAddress('eth0', `${pod.ip}/24`, inPod);
        await setLinkUp('eth0', inPod);
        await addRoute({ dst: 'default', via: cidr.nth(1), dev: 'eth0' }, inPod);
      }
    }));
  }

  /** The Nodes as the API would hold them before any agent annotated them: name, podCIDR, InternalIP. */
  nodeObjects(): OverlayNode[] {
    return this.nodes.map((n) => ({
      metadata: { name: n.name, annotations: {} },
      spec: { podCIDR: n.podCIDR },
      status: { addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }] },
    }));
  }

  /** What startOverlay reads of the cluster configuration. */
  config(mode: OverlayMode) {
    return { overlay: mode, clusterCIDR: this.opts.clusterCIDR, stateDir: '(testbed)', nodes: this.nodes.map((n) => ({ name: n.name, ip: n.ip })) };
  }

  /** Starts a long-running process in a namespace; destroy() kills it (by its pid). */
  startProcess(netns: string, argv: string[]): ChildProcess {
    const child = spawnAttached(argv, { netns, stdio: ['ignore', 'pipe', 'pipe'] });
    child.on('error', () => {});
    this.procs.push(child);
    return child;
  }

  /** Kills the processes it started, then deletes every namespace with its prefix (also ones left by a crashed run). */
  async destroy(): Promise<void> {
    for (const p of this.procs) {
      if (p.exitCode === null && p.pid) {
        const exited = new Promise((r) => p.once('exit', r));
        try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      }
    }
    const mine = (await listNetns()).filter((n) => n === this.underlay || n.startsWith(`${this.opts.prefix}-`));
    // Pods before nodes before the underlay: deleting a namespace deletes the veth ends inside it.
    mine.sort((a, b) => b.length - a.length);
    for (const ns of mine) await deleteNetns(ns).catch(() => {});
  }
}
