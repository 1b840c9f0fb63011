// ipMasq for the bridge plugin, in nftables. The reference masquerades with one iptables chain per
// container and loses it when the pod's netns is gone (it needs the interface's addresses to find
// it). Here the per-pod state is one map element keyed by the pod address, carrying the attachment
// as its comment, so DEL and GC can always find it:
//
//   table ip <T> {
//     map pods { type ipv4_addr : verdict }            10.99.0.2 comment "net/cid/eth0" : jump masq_<h>
//     chain postrouting { type nat hook postrouting priority srcnat; ip saddr vmap @pods }
//     chain masq_<h> { ip daddr 10.99.0.0/24 return; ip daddr 224.0.0.0/4 return; masquerade }
//   }
//
// masq_<h> is per pod subnet (what the reference's "-d <subnet> ACCEPT; ! -d 224.0.0.0/4
// MASQUERADE" does per pod). The plan is the nft model (core/nft); every script is its render, one
// atomic `nft -f` transaction.
import { createHash } from 'node:crypto';
import { type NftFamily, type Ruleset, addChain, addElement, addSet, emptyRuleset, jump, ret, verdict } from '../nft/ruleset.js';
import { renderElementRemoval, renderElements, renderUpsert } from '../nft/render.js';
import { type IPPrefix, type IPFamily, type IP, formatIPPrefix, formatIP, networkOf } from '../net/index.js';

const FAM: Record<IPFamily, { nft: NftFamily; addr: string; multicast: string }> = {
  4: { nft: 'ip', addr: 'ipv4_addr', multicast: '224.0.0.0/4' },
  6: { nft: 'ip6', addr: 'ipv6_addr', multicast: 'ff00::/8' },
};

/** The comment naming an attachment on nft elements and rules (at most 127 bytes, as nft allows). */
export function attachmentComment(network: string, containerID: string, ifname: string): string {
  const c = `${network}/${containerID}/${ifname}`;
  if (c.length <= 127) return c;
  return `${network.slice(0, 60)}/${createHash('sha256').update(containerID).digest('hex').slice(0, 40)}/${ifname}`;
}

export function masqChain(subnet: IPPrefix): string {
  return `masq_${createHash('sha256').update(formatIPPrefix(networkOf(subnet))).digest('hex').slice(0, 12)}`;
}

/**
 * The part of the table one attachment needs, per address family: the pods map with the pod's
 * element (tagged with `comment` when given), the postrouting chain that looks pods up, and the pod
 * subnet's masq_<h> chain.
 */
export function planMasq(table: string, addrs: IPPrefix[], comment?: string): Ruleset[] {
  const out: Ruleset[] = [];
  for (const fam of [4, 6] as const) {
    const mine = addrs.filter((a) => a.ip.family === fam);
    if (!mine.length) continue;
    const f = FAM[fam];
    const rs = emptyRuleset(table, f.nft);
    const pods = addSet(rs, { name: 'pods', kind: 'map', type: `type ${f.addr} : verdict` });
    addChain(rs, { name: 'postrouting', base: { type: 'nat', hook: 'postrouting', priority: 100 }, rules: [{ matches: [], stmts: [{ kind: 'vmap', key: ['saddr'], map: 'pods' }] }] });
    for (const a of mine) {
      const chain = masqChain(a);
      if (!rs.chains.has(chain)) {
        addChain(rs, { name: chain, rules: [
          { matches: [{ kind: 'addr', field: 'daddr', op: '==', values: [formatIPPrefix(networkOf(a))] }], stmts: [verdict(ret)] },
          { matches: [{ kind: 'addr', field: 'daddr', op: '==', values: [f.multicast] }], stmts: [verdict(ret)] },
          { matches: [], stmts: [{ kind: 'masquerade' }] },
        ] });
      }
      addElement(pods, { key: [formatIP(a.ip)], value: jump(chain), ...(comment ? { comment } : {}) });
    }
    out.push(rs);
  }
  return out;
}

/**
 * Adds masquerading for the pod addresses (with their prefix). The postrouting and masq chains are
 * re-created on every ADD (atomically, in the same transaction) so the table is always complete.
 */
export function masqAddScript(table: string, addrs: IPPrefix[], comment: string): string {
  return planMasq(table, addrs, comment).map(renderUpsert).join('');
}

/**
 * Removes the pods' elements without reading first: adding the identical element and deleting it
 * in one transaction succeeds whether or not it existed. Fails (File exists) only if the address
 * is mapped to another subnet's chain; the caller then falls back to removal by comment.
 */
export function masqDelScript(table: string, addrs: IPPrefix[]): string {
  return planMasq(table, addrs).map(renderElementRemoval).join('');
}

/** Deletes elements by key (found by listing the map). */
export function masqDelKeysScript(table: string, keys: IP[]): string {
  return ([4, 6] as const).flatMap((fam) => {
    const mine = keys.filter((k) => k.family === fam);
    return mine.length ? renderElements(emptyRuleset(table, FAM[fam].nft), 'delete', 'pods', mine.map((k) => ({ key: [formatIP(k)] }))) : [];
  }).join('\n');
}

export interface MapElement { key: string; comment?: string }

/** Elements of the pods map from `nft -j list map <family> <table> pods`. */
export function parseMapElements(json: unknown): MapElement[] {
  const out: MapElement[] = [];
  const items = (json as { nftables?: unknown[] })?.nftables ?? [];
  for (const it of items) {
    const map = (it as { map?: { elem?: unknown[] } }).map;
    for (const e of map?.elem ?? []) {
      const k = Array.isArray(e) ? e[0] : e;
      if (typeof k === 'string') out.push({ key: k });
      else if (k && typeof k === 'object' && 'elem' in k) {
        const el = (k as { elem: { val?: unknown; comment?: string } }).elem;
        if (typeof el.val === 'string') out.push({ key: el.val, comment: el.comment });
      }
    }
  }
  return out;
}

export function nftFamily(fam: IPFamily): NftFamily {
  return FAM[fam].nft;
}
