// --prove: send one real connection along the predicted path and check every hop against the kernel.
// Each namespace the path crosses gets a temporary nft table that sets `meta nftrace` on this flow only
// (our source port, or the predicted endpoints after DNAT) and `nft monitor trace` runs there; DNS steps
// are asked with dig from the source's namespace; the entry node's conntrack entry says which endpoint
// the proxy chose and how it masqueraded. Every table and monitor is removed, even on failure.
import {
  addTraceTable, armConnectProbe, deleteTraceTable, digA, listConntrack, parseTraceLine, startTraceMonitor,
  type ArmedProbe, type ConnectResult, type FlowMatch, type TraceEvent, type TraceMonitor,
} from '../../linux/index.js';
import { parseConntrackList } from '../agent/services/stale-udp.js';
import type { ClusterSnapshot, Hop, NsRef, TraceResult } from '../../core/trace/index.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import { netnsOf } from './facts.js';

const nsId = (ns: NsRef) => (ns.kind === 'host' ? 'host' : ns.kind === 'node' ? `node:${ns.node}` : `pod:${ns.key}`);

interface Flow { localPort: number; post?: { ep: string; port: number; masqPort?: number } }

function ofFlow(ev: TraceEvent, f: Flow): boolean {
  if (ev.sport === f.localPort || ev.dport === f.localPort) return true;
  const p = f.post;
  if (!p) return false;
  const any = p.masqPort === undefined;
  return (ev.daddr === p.ep && ev.dport === p.port && (any || ev.sport === p.masqPort))
    || (ev.saddr === p.ep && ev.sport === p.port && (any || ev.dport === p.masqPort));
}

/** The events of trace ids whose packet belongs to the flow. */
function flowEvents(events: TraceEvent[], f: Flow): TraceEvent[] {
  const ids = new Set(events.filter((e) => e.kind === 'packet' && ofFlow(e, f)).map((e) => e.id));
  return events.filter((e) => ids.has(e.id));
}

const short = (e: TraceEvent) => `${e.chain}: ${e.kind === 'packet' ? [e.iif && `iif ${e.iif}`, e.oif && `oif ${e.oif}`, `${e.saddr}:${e.sport} → ${e.daddr}:${e.dport}`].filter(Boolean).join(' ') : `${e.kind} ${e.text}`}`;

export interface ProveOptions { timeoutMs?: number }

/** The tracing set up for one planned path: tables, monitors and the connect probe, ready to fire. */
export interface ArmedProve {
  srcNetns: string | undefined | null;
  netns: Map<string, string | undefined>;
  localPort: number;
  /** Fires the probe, reads conntrack and the monitors, removes every table. */
  fire(t: TraceResult): Promise<{ connect: ConnectResult; events: Map<string, TraceEvent[]>; chosen?: Flow['post']; entry?: NsRef }>;
  /** Removes everything without firing (the trace stopped before). */
  abort(): Promise<void>;
}

/**
 * Sets up --prove for a planned path: a trace table and `nft monitor trace` in every namespace it crosses
 * and the probe process bound in the source's namespace, all at once. The namespaces depend only on the
 * path's shape, so the caller may do this while it still reads kernel facts for the final model.
 */
export async function armProve(config: ClusterConfig, snap: ClusterSnapshot, t: TraceResult, opts: ProveOptions = {}): Promise<ArmedProve | undefined> {
  const allHops = [...t.hops, ...t.branches.flatMap((b) => b.hops)];
  const srcRef = t.hops.find((h) => h.kind === 'source' || h.kind === 'dns')?.ns;
  if (!srcRef || !t.dstIP || !t.dstPort) return undefined;
  const srcNetns = netnsOf(config, snap, srcRef);
  const refs = new Map<string, NsRef>([[nsId(srcRef), srcRef]]);
  for (const h of allHops) if (h.ns) refs.set(nsId(h.ns), h.ns);
  for (const b of t.branches) if (b.pod) refs.set(`pod:${b.pod}`, { kind: 'pod', key: b.pod });
  const netns = new Map<string, string | undefined>();
  for (const [id, ref] of refs) { const n = netnsOf(config, snap, ref); if (n !== null) netns.set(id, n); }
  const localPort = 40000 + Math.floor(Math.random() * 20000);
  if (srcNetns === null) return { srcNetns, netns, localPort, fire: () => Promise.reject(new Error('no source namespace')), abort: async () => undefined };

  const matches: FlowMatch[] = [{ proto: t.proto, sport: localPort }, { proto: t.proto, dport: localPort }];
  for (const b of t.branches) {
    const i = b.endpoint.lastIndexOf(':');
    const [ip, port] = [b.endpoint.slice(0, i), Number(b.endpoint.slice(i + 1))];
    matches.push({ proto: t.proto, daddr: ip, dport: port }, { proto: t.proto, saddr: ip, sport: port });
  }
  const table = `podnet-trace-${process.pid}`;
  const installed: Array<string | undefined> = [];
  const monitors = new Map<string, TraceMonitor>();
  const entry = [...t.hops].reverse().find((h) => h.ns?.kind === 'node')?.ns;
  // A policy drop shows as silence: wait one SYN retransmission (1 s), not the full timeout.
  const dropExpected = allHops.some((h) => h.expect?.kind === 'policy' && !h.expect.allowed);
  const timeoutMs = opts.timeoutMs ?? (dropExpected ? 1000 : 2000);
  let probe: ArmedProbe | undefined;
  const teardown = async (): Promise<Map<string, TraceEvent[]>> => {
    const events = new Map<string, TraceEvent[]>();
    // Our own table's rule lines are noise; its packet lines say where the packet was. Tables go while
    // the monitors wait for their last events: removing a table emits no trace events.
    await Promise.all([
      ...[...monitors].map(async ([id, m]) => {
        events.set(id, (await m.stop()).map(parseTraceLine).filter((e): e is TraceEvent => !!e && (e.table !== table || e.kind === 'packet')));
      }),
      ...installed.map((n) => deleteTraceTable(table, n).catch(() => undefined)),
    ]);
    return events;
  };
  try {
    // All namespaces at once, and the probe's interpreter starting meanwhile: each monitor needs a moment
    // to subscribe, and they wait together.
    await Promise.all([
      ...[...netns].map(async ([id, n]) => {
        installed.push(n);
        await addTraceTable(table, matches, n);
        monitors.set(id, await startTraceMonitor(n));
      }),
      armConnectProbe(t.proto, t.dstIP, t.dstPort, localPort, timeoutMs, srcNetns).then((p) => { probe = p; }),
    ]);
  } catch (e) {
    probe?.cancel();
    await teardown();
    throw e;
  }
  return {
    srcNetns, netns, localPort,
    async fire(final) {
      let connect: ConnectResult;
      try {
        connect = await probe!.fire();
      } catch (e) {
        await teardown();
        throw e;
      }
      const lookup = async (): Promise<Flow['post']> => {
        if (!entry) return undefined;
        const ct = parseConntrackList(await listConntrack(['-p', final.proto, '--orig-port-src', String(localPort)], netns.get(nsId(entry))).catch(() => ''))
          .find((c) => c.orig.sport === localPort && c.orig.dst === final.dstIP);
        return ct ? { ep: ct.reply.src, port: ct.reply.sport, masqPort: ct.reply.dport } : undefined;
      };
      const [events, chosen] = await Promise.all([teardown(), lookup()]);
      return { connect, events, chosen, entry };
    },
    async abort() { probe?.cancel(); await teardown(); },
  };
}

export async function proveTrace(config: ClusterConfig, snap: ClusterSnapshot, t: TraceResult, opts: ProveOptions = {}, armedAlready?: ArmedProve): Promise<TraceResult> {
  const bugs: string[] = [];
  t.proved = { bugs };
  const allHops = [...t.hops, ...t.branches.flatMap((b) => b.hops)];
  const srcHop = t.hops.find((h) => h.kind === 'source' || h.kind === 'dns');
  const srcRef = srcHop?.ns;
  if (!srcRef) { await armedAlready?.abort(); return t; }
  const srcNetns = netnsOf(config, snap, srcRef);
  if (srcNetns === null) {
    await armedAlready?.abort();
    for (const h of allHops) h.proof = { status: 'unverified', evidence: [`the source's namespace is not on this host`] };
    return t;
  }

  // DNS: ask each candidate name the model asked, from the source pod's namespace.
  for (const h of t.hops.filter((x) => x.expect?.kind === 'dns')) {
    const e = h.expect as Extract<Hop['expect'], { kind: 'dns' }>;
    const evidence: string[] = [];
    let agree = true;
    for (const q of e.queries) {
      const got = await digA(e.server, q.name, srcNetns);
      const same = got.rcode === q.rcode && [...got.answers].sort().join() === [...q.answers].sort().join();
      evidence.push(`dig @${e.server} ${q.name} A → ${got.rcode} ${got.answers.join(' ')}${same ? '' : ` (model: ${q.rcode} ${q.answers.join(' ')})`}`);
      if (!same) { agree = false; bugs.push(`DNS ${q.name}: the model answered ${q.rcode} ${q.answers.join(' ')}, cluster DNS answered ${got.rcode} ${got.answers.join(' ')}`); }
    }
    h.proof = { status: agree ? 'confirmed' : 'contradicted', evidence };
  }
  const armed = armedAlready ?? await armProve(config, snap, t, opts);
  if (!armed || !t.dstIP || !t.dstPort) { await armed?.abort(); return t; }
  const { netns, localPort } = armed;
  const fired = await armed.fire(t);
  const connect = fired.connect;
  const events = fired.events;
  let chosen = fired.chosen;
  const entry = fired.entry;
  // A connection the endpoint refused may have left no conntrack entry (a RST ends it): then the entry
  // node's own trace says where the proxy sent the packet (its daddr after DNAT, before any masquerade).
  if (!chosen && entry && netns.has(nsId(entry))) {
    const after = (events.get(nsId(entry)) ?? []).find((e) => e.kind === 'packet' && e.sport === localPort
      && (e.chain.endsWith('-seen') || e.chain === 'forward' || e.chain === 'postrouting') && e.daddr && e.dport);
    if (after) chosen = { ep: after.daddr!, port: after.dport! };
  }
  const flow: Flow = { localPort, post: chosen };
  t.proved.connect = `${connect.result} (${connect.detail}) from source port ${localPort}`;
  const chosenEp = chosen ? `${chosen.ep}:${chosen.port}` : undefined;
  t.proved.branch = t.branches.findIndex((b) => b.endpoint === chosenEp);
  if (t.proved.branch < 0) t.proved.branch = t.branches.length === 1 ? 0 : undefined;

  const check = (h: Hop, taken: boolean) => {
    const e = h.expect;
    if (!e) return;
    if (!taken) { h.proof = { status: 'unverified', evidence: ['the kernel chose another endpoint'] }; return; }
    if (e.kind === 'connect') {
      // UDP has no handshake: a listener that does not answer this probe's bytes looks like silence,
      // while a closed port answers ICMP port unreachable (refused). Silence is consistent with a listener.
      const ok = connect.result === e.result || (t.proto === 'udp' && e.result === 'connected' && connect.result === 'timeout');
      h.proof = { status: ok ? 'confirmed' : 'contradicted', evidence: [`connection ${connect.result}: ${connect.detail}`] };
      if (!ok) bugs.push(`${h.where}: the model expected the connection to be ${e.result}, it was ${connect.result} (${connect.detail})`);
      return;
    }
    if (e.kind === 'dns') return;
    const id = nsId(e.ns);
    if (!netns.has(id)) { h.proof = { status: 'unverified', evidence: ['this namespace is not on this host'] }; return; }
    const evs = flowEvents(events.get(id) ?? [], flow);
    const pkts = evs.filter((x) => x.kind === 'packet');
    if (e.kind === 'seen') {
      const fits = pkts.filter((p) => (!e.iif || p.iif === e.iif) && (!e.oif || p.oif === e.oif));
      const ok = fits.length > 0;
      h.proof = { status: ok ? 'confirmed' : 'contradicted', evidence: (ok ? fits : pkts).slice(0, 3).map(short) };
      if (!ok) bugs.push(`${h.where}: the model expected the packet here${e.iif ? ` from ${e.iif}` : ''}${e.oif ? ` out of ${e.oif}` : ''}; ${pkts.length ? `the kernel shows ${pkts.slice(0, 2).map(short).join('; ')}` : 'no packet of the flow passed through'}`);
    } else if (e.kind === 'dnat') {
      const ok = !!chosenEp && e.candidates.includes(chosenEp);
      h.proof = { status: ok ? 'confirmed' : 'contradicted', evidence: [chosen ? `${chosen.masqPort !== undefined ? 'conntrack' : 'nft trace'}: DNAT to ${chosenEp}${chosen.masqPort !== undefined ? `, source port seen by the endpoint ${chosen.masqPort}` : ''}` : 'no conntrack entry for the flow', ...evs.filter((x) => x.kind === 'rule' && /dnat|jump|goto/.test(x.text)).slice(0, 3).map(short)] };
      if (!ok) bugs.push(`${h.where}: the model's endpoints were ${e.candidates.join(', ')}; the kernel chose ${chosenEp ?? 'none'}`);
    } else if (e.kind === 'policy') {
      // The pod's chain in the policy table: a drop ends it with `drop (verdict drop)`, a pass with the
      // rule that returned or accepted the first packet.
      const inChain = evs.filter((x) => x.table === e.table && x.chain === e.chain && x.kind !== 'packet');
      const dropped = inChain.some((x) => /verdict drop/.test(x.text));
      const passed = inChain.some((x) => /verdict (accept|return|continue)/.test(x.text)) && !dropped;
      const timedOut = connect.result === 'timeout';
      const ok = e.allowed ? passed : dropped && timedOut;
      h.proof = { status: ok ? 'confirmed' : 'contradicted', evidence: [...inChain.slice(0, 3).map(short), ...(inChain.length ? [] : [`no packet of the flow went through chain ${e.chain} of table ${e.table}`]), `connection ${connect.result}: ${connect.detail}`] };
      if (!ok) bugs.push(`${h.where}: the model expected ${e.table} chain ${e.chain} to ${e.allowed ? 'pass' : 'drop'} the packet; ${inChain.length ? `the kernel shows ${inChain.slice(0, 2).map(short).join('; ')}` : 'the chain saw no packet of the flow'}${!e.allowed && !timedOut ? `, and the connection was ${connect.result}` : ''}`);
    } else if (e.kind === 'refused') {
      const ok = e.how === 'reject' ? connect.result === 'refused' : connect.result === 'timeout';
      h.proof = { status: ok ? 'confirmed' : 'contradicted', evidence: [`connection ${connect.result}: ${connect.detail}`, ...evs.filter((x) => /reject|drop/.test(x.text)).slice(0, 2).map(short)] };
      if (!ok) bugs.push(`${h.where}: the model expected the proxy to ${e.how} the packet; the connection was ${connect.result}`);
    }
  };
  for (const h of t.hops) check(h, true);
  t.branches.forEach((b, i) => { for (const h of b.hops) check(h, t.proved!.branch === undefined ? i === 0 : t.proved!.branch === i); });
  // An Ingress URL's second leg (controller pod → backend endpoint) is a connection of its own: prove it
  // the same way, from the controller pod's namespace; its disagreements are the trace's.
  if (t.next) {
    await proveTrace(config, snap, t.next, opts);
    bugs.push(...t.next.proved!.bugs.map((b) => `second leg: ${b}`));
  }
  return t;
}
