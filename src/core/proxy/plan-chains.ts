// kube-proxy's nftables layout for one service port (pkg/proxy/nftables/proxier.go): a `service-`
// chain (cluster-policy endpoints), a `local-` chain (this node's endpoints), an `external-` chain for
// NodePort/external/LB traffic, and one `endpoint-` chain per endpoint holding the hairpin masquerade,
// the affinity refresh and the DNAT. Used for every service in layout 'chains' (the benchmark's
// reference) and, in layout 'maps', for services with ClientIP session affinity.
import { affinitySet, endpointChain, servicePortChain } from './names.js';
import type { Fragment } from './fragment.js';
import { goto, jump, type Rule, verdict } from '../nft/ruleset.js';
import type { EndpointInfo, ServicePortInfo } from './service-ports.js';
import { N, type PlanContext } from './skeleton.js';
import { type Destination, noEndpoints, serviceTarget } from './destinations.js';

export function clusterIPMasqueradeRule(ctx: PlanContext, clusterIP?: string): Rule {
  const matches: Rule['matches'] = clusterIP ? [{ kind: 'addr', field: 'daddr', op: '==', values: [clusterIP] }] : [];
  if (!ctx.masqueradeAll) matches.push({ kind: 'addr', field: 'saddr', op: '!=', values: [ctx.localCIDR] });
  return { matches, stmts: [verdict(jump(N.markForMasquerade))], comment: 'masquerade traffic from outside the cluster' };
}

export function planChainsServicePort(ctx: PlanContext, f: Fragment, sp: ServicePortInfo, dests: Destination[]): void {
  const hasAny = sp.clusterEndpoints.length > 0;
  const external = dests.filter((d) => d.kind !== 'clusterIP');
  const endpointChains = new Map<string, { chain: string; affinity?: string }>();

  const ensureEndpoint = (ep: EndpointInfo) => {
    const k = `${ep.ip}:${ep.port}`;
    let e = endpointChains.get(k);
    if (e) return e;
    e = { chain: endpointChain(sp.id, ep.ip, ep.port) };
    const rules: Rule[] = [{ matches: [{ kind: 'addr', field: 'saddr', op: '==', values: [ep.ip] }],
      stmts: [verdict(jump(N.markForMasquerade))], comment: 'hairpin' }];
    if (sp.affinityTimeout !== undefined) {
      e.affinity = affinitySet(sp.id, ep.ip, ep.port, sp.affinityTimeout);
      f.set({ name: e.affinity, kind: 'set', type: 'type ipv4_addr', flags: ['dynamic', 'timeout'], timeout: sp.affinityTimeout });
      rules.push({ matches: [], stmts: [{ kind: 'updateSet', set: e.affinity }] });
    }
    rules.push({ matches: [{ kind: 'l4proto', proto: sp.protocol }], stmts: [{ kind: 'dnat', addr: ep.ip, port: ep.port }] });
    f.chain({ name: e.chain, rules });
    endpointChains.set(k, e);
    return e;
  };

  // The endpoint-list chain: optional ClusterIP masquerade, affinity lookups, then a uniform random pick.
  const listChain = (name: string, eps: EndpointInfo[], masquerade: boolean): string => {
    const rules: Rule[] = masquerade ? [clusterIPMasqueradeRule(ctx, sp.clusterIP)] : [];
    const targets = eps.map(ensureEndpoint);
    for (const t of targets) {
      if (t.affinity) rules.push({ matches: [{ kind: 'addrSet', field: 'saddr', set: t.affinity }], stmts: [verdict(goto(t.chain))] });
    }
    rules.push({ matches: [], stmts: [{ kind: 'numgenVmap', targets: targets.map((t) => goto(t.chain)) }] });
    f.chain({ name, comment: sp.comment, rules });
    return name;
  };

  const clusterChain = hasAny ? listChain(servicePortChain('service', sp.id), sp.clusterEndpoints, !sp.internalLocal) : undefined;
  const needsLocal = sp.internalLocal || (sp.externalLocal && external.length > 0);
  const localChain = needsLocal && sp.localEndpoints.length
    ? listChain(servicePortChain('local', sp.id), sp.localEndpoints, sp.internalLocal) : undefined;

  let externalChain: string | undefined;
  if (hasAny && external.length) {
    externalChain = servicePortChain('external', sp.id);
    const rules: Rule[] = [];
    if (!sp.externalLocal) {
      rules.push({ matches: [], stmts: [verdict(jump(N.markForMasquerade))], comment: 'masquerade traffic from outside the cluster' });
      rules.push({ matches: [], stmts: [verdict(goto(clusterChain!))] });
    } else {
      // Pods and the node itself reaching an external IP behave as if they went out to the load
      // balancer and back: they get the cluster-wide endpoints (the node's traffic masqueraded).
      rules.push({ matches: [{ kind: 'addr', field: 'saddr', op: '==', values: [ctx.localCIDR] }],
        stmts: [verdict(goto(clusterChain!))], comment: 'short-circuit pod traffic' });
      rules.push({ matches: [{ kind: 'fibSaddrLocal' }], stmts: [verdict(jump(N.markForMasquerade))], comment: 'masquerade local traffic' });
      rules.push({ matches: [{ kind: 'fibSaddrLocal' }], stmts: [verdict(goto(clusterChain!))], comment: 'short-circuit local traffic' });
      if (localChain) rules.push({ matches: [], stmts: [verdict(goto(localChain))] });
    }
    f.chain({ name: externalChain, comment: sp.comment, rules });
  }

  for (const d of dests) {
    if (d.kind === 'clusterIP') {
      const target = sp.internalLocal ? localChain : clusterChain;
      if (target) serviceTarget(f, sp, d, target);
      else noEndpoints(f, sp, d, hasAny);
    } else if (externalChain) {
      serviceTarget(f, sp, d, externalChain);
      if (sp.externalLocal && !localChain) noEndpoints(f, sp, d, true);
    } else {
      noEndpoints(f, sp, d, false);
    }
  }
}
