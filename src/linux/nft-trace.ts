// nftables packet tracing for `podnet trace --prove`: a temporary table whose chains set `meta nftrace`
// on one flow only (so nothing else is traced) and whose empty base chains at every hook make the kernel
// report the packet's devices and addresses at each step; `nft monitor trace` read in the namespace.
// The trace flag does not survive a veth into another namespace (skb_scrub_packet resets it), so every
// namespace the flow crosses gets its own table, and every table is removed afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { run } from './exec.js';
import { validateNetnsName } from './netns.js';

/** Matches one flow: any of these (saddr?, daddr?, proto, sport?, dport?) tuples. */
export interface FlowMatch { proto: 'tcp' | 'udp'; saddr?: string; daddr?: string; sport?: number; dport?: number }

const NAME = /^[a-z][a-z0-9_-]{0,30}$/;

export function traceTableText(table: string, matches: FlowMatch[]): string {
  if (!NAME.test(table)) throw new Error(`invalid nft table name ${JSON.stringify(table)}`);
  const rules = matches.map((m) => {
    const parts = [`meta l4proto ${m.proto}`];
    if (m.saddr) parts.push(`ip saddr ${m.saddr}`);
    if (m.daddr) parts.push(`ip daddr ${m.daddr}`);
    if (m.sport) parts.push(`th sport ${m.sport}`);
    if (m.dport) parts.push(`th dport ${m.dport}`);
    return `    ${parts.join(' ')} meta nftrace set 1`;
  }).join('\n');
  // Before conntrack (-200) and the proxy's NAT (-100), so the first packet is traced from the start.
  const marker = (hook: string) => `  chain ${hook} {\n    type filter hook ${hook} priority -350; policy accept;\n${rules}\n  }`;
  // Empty chains after NAT: each reports the packet (iif, oif, post-DNAT addresses) when traced.
  const watch = (hook: string) => `  chain ${hook}-seen {\n    type filter hook ${hook} priority 450; policy accept;\n  }`;
  return `table ip ${table} {\n${marker('prerouting')}\n${marker('output')}\n${watch('input')}\n${watch('forward')}\n${watch('postrouting')}\n}\n`;
}

export async function addTraceTable(table: string, matches: FlowMatch[], netns?: string): Promise<void> {
  await run(['nft', '-f', '-'], { netns, input: traceTableText(table, matches) });
}

export async function deleteTraceTable(table: string, netns?: string): Promise<void> {
  await run(['nft', 'delete', 'table', 'ip', table], { netns, okExitCodes: [1] });
}

const NETLINK_NETFILTER = '12';
const NFNLGRP_NFTRACE_BIT = 0x100;

async function waitSubscribed(pid: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let text = '';
    try { text = readFileSync(`/proc/${pid}/net/netlink`, 'utf8'); } catch { /* not exec'd yet */ }
    const joined = text.split('\n').some((l) => {
      const w = l.trim().split(/\s+/);
      return w[1] === NETLINK_NETFILTER && w[2] === String(pid) && (parseInt(w[3], 16) & NFNLGRP_NFTRACE_BIT) !== 0;
    });
    if (joined) return;
    if (Date.now() > deadline) throw new Error(`nft monitor trace (pid ${pid}) did not subscribe to trace events within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface TraceMonitor {
  /** Stops the monitor and returns the lines it printed. */
  stop(): Promise<string[]>;
}

/** Starts `nft monitor trace` in the namespace; resolves once nft has subscribed (its first output or a short grace). */
export async function startTraceMonitor(netns?: string): Promise<TraceMonitor> {
  if (netns) validateNetnsName(netns);
  const argv = netns ? ['ip', 'netns', 'exec', netns, 'nft', 'monitor', 'trace'] : ['nft', 'monitor', 'trace'];
  const child: ChildProcess = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let last = Date.now();
  child.stdout!.on('data', (d) => { out += d; last = Date.now(); });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => resolve());
  });
  // nft prints nothing when it has subscribed: wait until its netfilter netlink socket has joined the
  // trace group (NFNLGRP_NFTRACE, bit 0x100 in /proc/<pid>/net/netlink), or a packet could go untraced.
  await waitSubscribed(child.pid!);
  return {
    async stop() {
      // Let the last events of the flow arrive: stop once nft has been quiet for 100 ms (at most 2 s).
      const start = Date.now();
      last = Math.max(last, start);
      while (Date.now() - last < 100 && Date.now() - start < 2000) await new Promise((r) => setTimeout(r, 20));
      const done = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await done;
      return out.split('\n').filter((l) => l.startsWith('trace id '));
    },
  };
}

/** One line of `nft monitor trace`, read into fields. */
export interface TraceEvent {
  id: string;
  table: string;
  chain: string;
  kind: 'packet' | 'rule' | 'verdict' | 'policy' | 'other';
  text: string;
  iif?: string;
  oif?: string;
  saddr?: string;
  daddr?: string;
  sport?: number;
  dport?: number;
}

export function parseTraceLine(line: string): TraceEvent | undefined {
  const m = /^trace id (\S+) (?:ip|inet|ip6|bridge|netdev|arp) (\S+) (\S+) (packet:|rule|verdict|policy)?\s*(.*)$/.exec(line.trim());
  if (!m) return undefined;
  const kind = m[4] === 'packet:' ? 'packet' : (m[4] as TraceEvent['kind']) ?? 'other';
  const ev: TraceEvent = { id: m[1], table: m[2], chain: m[3], kind, text: m[5] };
  if (kind === 'packet') {
    const f = (re: RegExp) => re.exec(m[5])?.[1];
    ev.iif = f(/\biif "([^"]+)"/);
    ev.oif = f(/\boif "([^"]+)"/);
    ev.saddr = f(/\bip saddr (\S+)/);
    ev.daddr = f(/\bip daddr (\S+)/);
    const sp = f(/\b(?:tcp|udp) sport (\d+)/);
    const dp = f(/\b(?:tcp|udp) dport (\d+)/);
    if (sp) ev.sport = Number(sp);
    if (dp) ev.dport = Number(dp);
  }
  return ev;
}
