// Masquerade of pod traffic leaving the cluster: in the node namespace, table `ip podnet-nat`, one
// postrouting rule `ip saddr <podCIDR> ip daddr != <clusterCIDR> masquerade`. Pod-to-pod traffic (any
// destination inside the cluster CIDR) is never NATed, so the destination pod sees the source pod's IP,
// as the Kubernetes network model requires; flannel's --ip-masq makes the same cut.
import { parseCIDR } from '../net/index.js';
import { type Ruleset, addChain, emptyRuleset } from '../nft/ruleset.js';
import { renderRuleset } from '../nft/render.js';
import type { MasqueradeState } from './state.js';

export const MASQUERADE_TABLE = 'podnet-nat';
export const MASQUERADE_FAMILY = 'ip';
export const MASQUERADE_CHAIN = 'postrouting';

/** The table: one nat postrouting chain (priority srcnat = 100) with the one rule. */
export function planMasquerade(m: MasqueradeState): Ruleset {
  const pod = parseCIDR(m.podCIDR, { strict: true }).toString();
  const cluster = parseCIDR(m.clusterCIDR, { strict: true }).toString();
  const rs = emptyRuleset(MASQUERADE_TABLE, MASQUERADE_FAMILY);
  addChain(rs, {
    name: MASQUERADE_CHAIN, base: { type: 'nat', hook: 'postrouting', priority: 100 },
    rules: [{
      matches: [{ kind: 'addr', field: 'saddr', op: '==', values: [pod] }, { kind: 'addr', field: 'daddr', op: '!=', values: [cluster] }],
      stmts: [{ kind: 'masquerade' }],
    }],
  });
  return rs;
}

/**
 * The nft script that (re)creates the table in one transaction (the one renderer's full render): the
 * delete drops any rule someone else added to it.
 */
export function renderMasquerade(m: MasqueradeState): string {
  return renderRuleset(planMasquerade(m));
}

type NftObj = Record<string, any>;

function prefixOf(right: unknown): string | undefined {
  const p = (right as NftObj | null)?.prefix;
  if (p && typeof p.addr === 'string' && Number.isInteger(p.len)) return `${p.addr}/${p.len}`;
  return undefined;
}

/**
 * Reads the table back from `nft -j list table ip podnet-nat`: the masquerade it does when it holds
 * exactly podnet's chain and rule, 'unrecognised' otherwise (so the programmer rewrites it), undefined
 * when there is no table.
 */
export function parseMasquerade(json: { nftables: NftObj[] } | undefined): MasqueradeState | 'unrecognised' | undefined {
  if (!json) return undefined;
  const items = json.nftables;
  const chains = items.filter((i) => i.chain).map((i) => i.chain as NftObj);
  const rules = items.filter((i) => i.rule).map((i) => i.rule as NftObj);
  const extra = items.some((i) => i.set || i.map || i.flowtable || i['ct helper']);
  if (extra || chains.length !== 1 || rules.length !== 1) return 'unrecognised';
  const c = chains[0];
  if (c.name !== MASQUERADE_CHAIN || c.type !== 'nat' || c.hook !== 'postrouting' || c.prio !== 100 || (c.policy ?? 'accept') !== 'accept') return 'unrecognised';
  const expr: NftObj[] = rules[0].expr ?? [];
  if (expr.length !== 3 || !('masquerade' in expr[2]) || expr[2].masquerade !== null) return 'unrecognised';
  const [src, dst] = [expr[0].match, expr[1].match];
  const field = (m: NftObj | undefined) => m?.left?.payload?.protocol === 'ip' ? m.left.payload.field : undefined;
  if (field(src) !== 'saddr' || src.op !== '==' || field(dst) !== 'daddr' || dst.op !== '!=') return 'unrecognised';
  const podCIDR = prefixOf(src.right);
  const clusterCIDR = prefixOf(dst.right);
  if (!podCIDR || !clusterCIDR) return 'unrecognised';
  return { podCIDR, clusterCIDR };
}
