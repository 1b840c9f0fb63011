// Side-by-side harness: runs the Debian reference plugins (/usr/lib/cni) and podnet's plugins (in
// process, as bin/podnet-cni stand-alone, and as bin/podnet-cni through the agent socket) with the
// same environment and configuration, and snapshots the kernel state they leave. Everything it
// creates carries the "pnc" prefix and is removed by cleanup(), even when a test fails.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cniInvoke } from '../../src/components/cni/plugin.js';
import { PODNET_ROOT } from '../../src/components/cni/shim-build.js';
import { run, runJson } from '../../src/linux/exec.js';

export const REF_DIR = '/usr/lib/cni';
export const PODNET_CNI = join(PODNET_ROOT, 'bin', 'podnet-cni');

export interface Outcome { code: number; stdout: string; json: Record<string, unknown> | null }

export type Side = 'reference' | 'inproc' | 'bin' | 'socket';

export interface CallEnv {
  CNI_COMMAND: string;
  PODNET_CNI_FROM_SOURCE?: string;
  CNI_CONTAINERID?: string;
  CNI_NETNS?: string;
  CNI_IFNAME?: string;
  CNI_ARGS?: string;
  CNI_PATH?: string;
}

function parse(stdout: string): Record<string, unknown> | null {
  try { return JSON.parse(stdout) as Record<string, unknown>; } catch { return null; }
}

/** Runs an executable plugin (argv, or a file) with exactly this environment and stdin. */
export function execPlugin(file: string | string[], env: Record<string, string | undefined>, stdin: string): Promise<Outcome> {
  const argv = Array.isArray(file) ? file : [file];
  return new Promise((resolve, reject) => {
    const clean: Record<string, string> = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
    for (const [k, v] of Object.entries(env)) if (v !== undefined) clean[k] = v;
    const child = spawn(argv[0], argv.slice(1), { env: clean, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (process.env.PNC_DEBUG && err) process.stderr.write(`[${file}] ${err}\n`);
      resolve({ code: code ?? -1, stdout: out, json: parse(out) });
    });
    child.stdin.on('error', () => { /* exited early */ });
    child.stdin.end(stdin);
  });
}

/**
 * One CNI call on one side. `plugin` is the reference binary name (bridge, loopback, portmap,
 * host-local); podnet runs the same configuration with its type rewritten to podnet-<plugin>.
 */
export async function call(side: Side, plugin: string, env: CallEnv, conf: Record<string, unknown>, extraEnv: Record<string, string> = {}): Promise<Outcome> {
  const full = { CNI_PATH: REF_DIR, ...env };
  if (side === 'reference') return execPlugin(join(REF_DIR, plugin), full, JSON.stringify(conf));
  const ours = { ...conf, type: `podnet-${plugin}` };
  if (side === 'inproc') {
    const o = await cniInvoke(full, JSON.stringify(ours));
    return { code: o.exitCode, stdout: o.stdout, json: parse(o.stdout) };
  }
  // bin: force the stand-alone path (no shim) from the sources; socket: the caller sets PODNET_CNI_SOCKET.
  const binEnv = side === 'bin' ? { PODNET_CNI_SHIM: '/nonexistent', PODNET_CNI_FROM_SOURCE: '1', ...extraEnv } : extraEnv;
  return execPlugin(PODNET_CNI, { ...full, ...binEnv }, JSON.stringify(ours));
}

/**
 * bin/podnet-cni run inside a node namespace (where a podnet agent lives), through the socket
 * server when `socket` is given (see startServer), else stand-alone.
 */
export function callInNode(node: string, plugin: string, env: CallEnv, conf: Record<string, unknown>, socket?: string): Promise<Outcome> {
  const extra: Record<string, string> = socket ? { PODNET_CNI_SOCKET: socket } : { PODNET_CNI_SHIM: '/nonexistent', PODNET_CNI_FROM_SOURCE: '1' };
  return execPlugin(['ip', 'netns', 'exec', node, PODNET_CNI], { CNI_PATH: REF_DIR, ...env, ...extra }, JSON.stringify({ ...conf, type: `podnet-${plugin}` }));
}

/** Starts test/cni/serve.ts inside `node` (a netns name); resolves once it listens on `socket`. */
export function startServer(scratch: Scratch, node: string, socket: string): Promise<{ shim: string | null; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', node, process.execPath, '--import', 'tsx', join(PODNET_ROOT, 'test', 'cni', 'serve.ts'), socket],
      { cwd: PODNET_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    if (child.pid) scratch.pids.add(child.pid);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^ready (\S+)/m.exec(out);
      if (m) resolve({ shim: m[1] === 'no-shim' ? null : m[1], stop: () => child.stdin.end() });
    });
    child.on('exit', (code) => reject(new Error(`the CNI test server exited (${code}) before listening: ${out}`)));
  });
}

const FORWARDING = ['/proc/sys/net/ipv4/ip_forward', '/proc/sys/net/ipv6/conf/all/forwarding'];

/**
 * Kernel objects and directories to remove at the end of a test. The plugins under test run in the
 * host's own namespace (as a runtime runs them), and a gateway bridge turns forwarding on there, as the
 * reference plugin does: the host's forwarding settings are put back as they were.
 */
export class Scratch {
  private readonly forwarding = FORWARDING.map((f) => [f, existsSync(f) ? readFileSync(f, 'utf8') : undefined] as const);
  readonly netns = new Set<string>();
  readonly links = new Set<string>();
  readonly nftTables = new Set<string>();
  readonly dirs = new Set<string>();
  readonly pids = new Set<number>();

  async addNetns(name: string): Promise<string> {
    await run(['ip', 'netns', 'add', name]);
    this.netns.add(name);
    return `/run/netns/${name}`;
  }

  tempDir(tag: string): string {
    const d = mkdtempSync(join(tmpdir(), `pnc-${tag}-`));
    this.dirs.add(d);
    return d;
  }

  async cleanup(): Promise<void> {
    for (const pid of this.pids) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    for (const ns of this.netns) await run(['ip', 'netns', 'del', ns]).catch(() => undefined);
    for (const l of this.links) await run(['ip', 'link', 'del', l]).catch(() => undefined);
    for (const t of this.nftTables) {
      for (const fam of ['ip', 'ip6']) await run(['nft', 'delete', 'table', fam, t]).catch(() => undefined);
    }
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    for (const [file, value] of this.forwarding) if (value !== undefined) { try { writeFileSync(file, value); } catch { /* read-only */ } }
  }
}

/** Reservation files of a host-local network directory: name -> content. */
export function reservations(dataDir: string, network: string): Record<string, string> {
  const dir = join(dataDir, network);
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)) out[f] = f === 'lock' ? '' : readFileSync(join(dir, f), 'utf8');
  return out;
}

interface AddrJson {
  ifname: string; flags: string[]; mtu: number; operstate: string; txqlen?: number; link_index?: number; master?: string;
  linkinfo?: { info_kind?: string; info_slave_kind?: string; info_slave_data?: { hairpin?: boolean; learning?: boolean; state?: string } };
  addr_info?: { family: string; local: string; prefixlen: number; broadcast?: string; scope: string }[];
}

/** What a pod namespace looks like, without names and numbers that differ run to run. */
export async function podState(netns: string): Promise<unknown> {
  const name = netns.replace(/^\/(var\/)?run\/netns\//, '');
  const links = await runJson<AddrJson[]>(['ip', '-n', name, '-j', '-d', 'addr', 'show']);
  const routes4 = await runJson<Record<string, unknown>[]>(['ip', '-n', name, '-j', 'route', 'show', 'table', 'main']);
  const routes6 = await runJson<Record<string, unknown>[]>(['ip', '-n', name, '-6', '-j', 'route', 'show', 'table', 'main']);
  const sysctl = async (k: string) => (await run(['ip', 'netns', 'exec', name, 'cat', `/proc/sys/${k}`]).then((r) => r.stdout.trim()).catch(() => 'n/a'));
  return {
    links: links.map((l) => ({
      ifname: l.ifname, flags: l.flags, mtu: l.mtu, operstate: l.operstate, txqlen: l.txqlen, kind: l.linkinfo?.info_kind,
      addrs: (l.addr_info ?? []).filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen} brd ${a.broadcast ?? '-'} ${a.scope}`),
    })),
    routes4: routes4.map((r) => `${r.dst} via ${r.gateway ?? '-'} dev ${r.dev} ${r.protocol ?? ''} ${r.scope ?? ''}`),
    routes6: routes6.filter((r) => !String(r.dst).startsWith('fe80')).map((r) => `${r.dst} via ${r.gateway ?? '-'} dev ${r.dev}`),
    eth0: links.some((l) => l.ifname === 'eth0')
      ? { arp_notify: await sysctl('net/ipv4/conf/eth0/arp_notify'), accept_dad: await sysctl('net/ipv6/conf/eth0/accept_dad') }
      : null,
  };
}

/** The bridge and its ports in this (the root) namespace, without MACs and ifindexes. */
export async function bridgeState(bridge: string): Promise<unknown> {
  const br = await runJson<AddrJson[]>(['ip', '-j', '-d', 'addr', 'show', 'dev', bridge]).catch(() => []);
  const ports = await runJson<AddrJson[]>(['ip', '-j', '-d', 'link', 'show', 'master', bridge]).catch(() => []);
  return {
    bridge: br.map((l) => ({
      flags: l.flags, mtu: l.mtu, txqlen: l.txqlen, kind: l.linkinfo?.info_kind,
      addrs: (l.addr_info ?? []).filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen} brd ${a.broadcast ?? '-'}`),
    })),
    ports: ports.map((p) => ({
      name: /^veth[0-9a-f]{8}$/.test(p.ifname) ? 'veth<8 hex>' : p.ifname, flags: p.flags, mtu: p.mtu, txqlen: p.txqlen, master: p.master,
      slave: p.linkinfo?.info_slave_kind, hairpin: p.linkinfo?.info_slave_data?.hairpin, learning: p.linkinfo?.info_slave_data?.learning,
    })),
  };
}

/** A result with the random parts (MACs, veth names) replaced by their shape. */
export function normalizeResult(r: Record<string, unknown> | null): unknown {
  if (!r) return r;
  return JSON.parse(JSON.stringify(r)
    .replace(/"mac":"(?!00:00:00:00:00:00)[0-9a-f:]{17}"/g, '"mac":"<mac>"')
    .replace(/"veth[0-9a-f]{8}"/g, '"veth<8 hex>"'));
}

export function requireTools(): void {
  for (const f of ['bridge', 'host-local', 'loopback', 'portmap']) {
    if (!existsSync(join(REF_DIR, f))) throw new Error(`the reference plugin ${join(REF_DIR, f)} is missing: apt-get install containernetworking-plugins`);
  }
}
