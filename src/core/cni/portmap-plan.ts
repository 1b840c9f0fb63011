// The portmap plugin (hostPort, `docker run -p 8080:80`) in nftables: its configuration and the
// exact nft transaction for one attachment. Each attachment gets its own nat base chains, named by
// a hash of the attachment and tagged with it in every rule's comment:
//
//   table ip <T> {
//     chain hp_<h>_pre  { type nat hook prerouting priority dstnat;   fib daddr type local tcp dport 8080 dnat ip to 10.99.0.2:80 }
//     chain hp_<h>_out  { type nat hook output priority -100;       (same rules, for connections from the node itself) }
//     chain hp_<h>_post { type nat hook postrouting priority srcnat;  ip saddr 10.99.0.0/24 ip daddr 10.99.0.2 ct status dnat masquerade
//                                                                     ip saddr 127.0.0.1 ip daddr 10.99.0.2 ct status dnat masquerade }
//   }
//
// so ADD is one transaction, DEL deletes three chains blindly (no listing, works without a netns or
// a prevResult) and GC finds stale chains by comment. The plan is the nft model (core/nft) and the
// scripts are its render. The post chain does what the reference's
// hairpin and localhost SETMARK/MASQUERADE rules do (snat: true, the default).
import { createHash } from 'node:crypto';
import { CniError, ErrorCode } from './errors.js';
import { type IPPrefix, type IPFamily, type IP, formatIPPrefix, formatIP, isIP, isIPPrefix, networkOf, parseIPPrefix, parseIP } from '../net/index.js';
import { type Json, getBool, getInt, getObject, getString, invalid, isValidNftName, unsupported } from './netconf.js';
import type { Result } from './result.js';
import { type BaseChainSpec, type Match, type NftFamily, type Rule, type Ruleset, addChain, emptyRuleset } from '../nft/ruleset.js';
import { renderChainRemoval, renderUpsert } from '../nft/render.js';

export type Protocol = 'tcp' | 'udp' | 'sctp';

export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol: Protocol;
  /** Only traffic to this node address is forwarded; unset or unspecified (0.0.0.0, ::) = any local address. */
  hostIP?: IP;
}

export interface PortmapConfig {
  name: string;
  cniVersion: string;
  snat: boolean;
  /** nftables table (families ip and ip6). */
  table: string;
  mappings: PortMapping[];
}

export const DEFAULT_HOSTPORT_TABLE = 'podnet_hostport';

function port(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    throw invalid(`invalid ${what} ${JSON.stringify(v)} in runtimeConfig.portMappings`, 'ports are integers 1-65535');
  }
  return v;
}

export function loadPortmapConfig(conf: Json): PortmapConfig {
  for (const key of ['conditionsV4', 'conditionsV6', 'externalSetMarkChain']) {
    if (conf[key] !== undefined && conf[key] !== null) throw unsupported(key, conf[key], 'these are iptables match arguments; podnet\'s portmap uses nftables: remove the key');
  }
  const backend = getString(conf, 'backend', '');
  if (backend !== '' && backend !== 'nftables') throw unsupported('backend', backend, 'podnet\'s portmap uses nftables only; remove "backend" or set it to "nftables"');
  const bit = getInt(conf, 'markMasqBit', 13);
  if (bit < 0 || bit > 31) throw new CniError(ErrorCode.Internal, 'MasqMarkBit must be between 0 and 31');
  const table = getString(conf, 'nftTable', DEFAULT_HOSTPORT_TABLE) || DEFAULT_HOSTPORT_TABLE;
  if (!isValidNftName(table)) throw invalid(`invalid nftTable ${JSON.stringify(table)}`, 'use letters, digits and "_", starting with a letter');
  const rc = getObject(conf, 'runtimeConfig');
  const raw = rc?.portMappings;
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) throw invalid('runtimeConfig.portMappings must be a list');
  const mappings = ((raw ?? []) as Json[]).map((m) => {
    const protocol = String(m.protocol ?? 'tcp').toLowerCase();
    if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp') {
      throw invalid(`invalid protocol ${JSON.stringify(m.protocol)} in runtimeConfig.portMappings`, 'use tcp, udp or sctp');
    }
    const pm: PortMapping = { hostPort: port(m.hostPort, 'hostPort'), containerPort: port(m.containerPort, 'containerPort'), protocol };
    if (typeof m.hostIP === 'string' && m.hostIP !== '') {
      if (!isIP(m.hostIP)) throw invalid(`invalid hostIP ${JSON.stringify(m.hostIP)} in runtimeConfig.portMappings`);
      const ip = parseIP(m.hostIP);
      if (ip.value !== 0n) pm.hostIP = ip;
    }
    return pm;
  });
  return { name: String(conf.name), cniVersion: String(conf.cniVersion ?? '0.1.0'), snat: getBool(conf, 'snat', true), table, mappings };
}

export interface PodAddress { ip: IP; subnet: IPPrefix }

/** The container addresses (first per family) of interfaces inside the sandbox, from prevResult. */
export function containerAddresses(prev: Result): PodAddress[] {
  const out: PodAddress[] = [];
  for (const ipc of prev.ips ?? []) {
    const itf = ipc.interface !== undefined ? prev.interfaces?.[ipc.interface] : undefined;
    if (ipc.interface !== undefined && !itf?.sandbox) continue;
    if (!isIPPrefix(ipc.address)) continue;
    const c = parseIPPrefix(ipc.address);
    if (out.some((o) => o.ip.family === c.ip.family)) continue;
    out.push({ ip: c.ip, subnet: networkOf(c) });
  }
  return out;
}

export function portmapChains(comment: string): { pre: string; out: string; post: string } {
  const h = createHash('sha256').update(comment).digest('hex').slice(0, 16);
  return { pre: `hp_${h}_pre`, out: `hp_${h}_out`, post: `hp_${h}_post` };
}

const NFT: Record<IPFamily, NftFamily> = { 4: 'ip', 6: 'ip6' };
/** prerouting at dstnat (-100), output at -100, postrouting at srcnat (100). */
const BASES: Record<'pre' | 'out' | 'post', BaseChainSpec> = {
  pre: { type: 'nat', hook: 'prerouting', priority: -100 },
  out: { type: 'nat', hook: 'output', priority: -100 },
  post: { type: 'nat', hook: 'postrouting', priority: 100 },
};

/** The attachment's chains, per address family with a pod address and a mapping, each rule tagged with `comment`. */
export function planPortmap(cfg: PortmapConfig, comment: string, pods: PodAddress[]): Ruleset[] {
  const chains = portmapChains(comment);
  const out: Ruleset[] = [];
  for (const pod of pods) {
    const maps = cfg.mappings.filter((m) => !m.hostIP || m.hostIP.family === pod.ip.family);
    if (!maps.length) continue;
    const rs = emptyRuleset(cfg.table, NFT[pod.ip.family]);
    const dnat = maps.map((m): Rule => {
      const matches: Match[] = [{ kind: 'fibDaddrLocal' }];
      if (m.hostIP) matches.push({ kind: 'addr', field: 'daddr', op: '==', values: [formatIP(m.hostIP)] });
      matches.push({ kind: 'dport', proto: m.protocol, port: m.hostPort });
      return { matches, stmts: [{ kind: 'dnat', addr: formatIP(pod.ip), port: m.containerPort }], comment };
    });
    addChain(rs, { name: chains.pre, base: BASES.pre, rules: dnat });
    addChain(rs, { name: chains.out, base: BASES.out, rules: dnat });
    if (cfg.snat) {
      const masq = (src: string): Rule => ({
        matches: [
          { kind: 'addr', field: 'saddr', op: '==', values: [src] }, { kind: 'addr', field: 'daddr', op: '==', values: [formatIP(pod.ip)] },
          { kind: 'ctStatusDnat' },
        ],
        stmts: [{ kind: 'masquerade' }],
        comment,
      });
      // Hairpin: a pod of the same subnet (or the pod itself) reaching a hostPort must see replies come back through us.
      const rules = [masq(formatIPPrefix(pod.subnet))];
      // Connections from the node's 127.0.0.1 (IPv4 only; needs route_localnet on the pod-facing interface).
      if (pod.ip.family === 4) rules.push(masq('127.0.0.1'));
      addChain(rs, { name: chains.post, base: BASES.post, rules });
    }
    out.push(rs);
  }
  return out;
}

/** The ADD transaction: (re)creates the attachment's chains with one DNAT rule per mapping. */
export function portmapAddScript(cfg: PortmapConfig, comment: string, pods: PodAddress[]): string {
  return planPortmap(cfg, comment, pods).map(renderUpsert).join('');
}

/** The DEL transaction for the given families: declaring then deleting each chain works whether or not it existed. */
export function portmapDelScript(table: string, comment: string, families: IPFamily[]): string {
  const chains = portmapChains(comment);
  return families.map((fam) => {
    const rs = emptyRuleset(table, NFT[fam]);
    for (const k of ['pre', 'out', 'post'] as const) addChain(rs, { name: chains[k], base: BASES[k] });
    return renderChainRemoval(rs);
  }).join('');
}

/** Chains of a table listing (`nft -j list table`) with the attachment comment of their rules. */
export function chainsByComment(json: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const it of (json as { nftables?: unknown[] })?.nftables ?? []) {
    const rule = (it as { rule?: { chain?: string; comment?: string } }).rule;
    if (rule?.chain && rule.comment && !out.has(rule.chain)) out.set(rule.chain, rule.comment);
  }
  return out;
}
