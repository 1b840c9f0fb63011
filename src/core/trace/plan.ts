// planTrace: the model dataplane. From the two ends the user named, it runs the same planners the agent
// runs (pod DNS config and cluster DNS answers, the proxy's nftables plan, the overlay plan) and returns
// the path hop by hop; a failing hop says where and why, with the fix. Pure: the component gathers the
// snapshot and kernel facts, and --prove checks the hops' expectations against the kernel.
import { parseFrom, parseTarget } from './ends.js';
import { resolveName, type ResolvConf } from './dns.js';
import { destinationHops } from './destination.js';
import { traceProxy } from './proxy.js';
import { routeHops } from './route.js';
import { inCIDR, internalIPOf, nodeByIP, nodeByName, podByIP, podKey } from './snapshot.js';
import { podCIDROf } from '../overlay/index.js';
import type { Branch, ClusterSnapshot, Endpoint, Hop, KernelFacts, PodLike, PolicyVerdict, Proto, TracePlugins, TraceResult } from './types.js';

export interface TraceOptions {
  proto?: Proto;
  facts?: KernelFacts;
  plugins?: TracePlugins;
  /** The Ingress controller's second leg: nginx's upstream endpoints (`ip:port`), chosen by nginx, not the proxy. */
  upstreams?: string[];
}

/** The pod's resolv.conf: as its node wrote it when known, else formed as kubelet forms ClusterFirst. */
function resolvOf(snap: ClusterSnapshot, from: Endpoint, facts: KernelFacts): ResolvConf | undefined {
  if (from.kind !== 'pod') return undefined;
  const known = facts.resolvConf?.get(from.key);
  if (known) return known;
  const ns = from.pod.metadata.namespace ?? 'default';
  const z = snap.clusterDomain;
  return { servers: [snap.dnsServiceIP], searches: [`${ns}.svc.${z}`, `svc.${z}`, z], options: ['ndots:5'] };
}

function whereOf(from: Endpoint): string {
  return from.kind === 'pod' ? `pod ${from.key}` : from.kind === 'node' ? `node ${from.node}` : 'host';
}

function defaultPort(snap: ClusterSnapshot, ip: string, pod?: PodLike): number {
  const svc = snap.services.find((s) => (s.spec?.clusterIPs ?? [s.spec?.clusterIP]).includes(ip)
    || (s.status?.loadBalancer?.ingress ?? []).some((i) => i.ip === ip));
  if (svc?.spec?.ports?.[0]) return svc.spec.ports[0].port;
  const p = pod ?? podByIP(snap, ip);
  return p?.spec?.containers?.flatMap((c) => c.ports ?? [])[0]?.containerPort ?? 80;
}

function fail(result: TraceResult, hop: Hop): TraceResult {
  result.hops.push(hop);
  result.ok = false;
  result.verdict = `${hop.where}: ${hop.summary}${hop.why.length ? ` — ${hop.why.join('; ')}` : ''}${hop.fix ? `. Fix: ${hop.fix}` : ''}`;
  return result;
}

/**
 * The source address the endpoint's node sees. NetworkPolicy runs in the forward hook, after DNAT and
 * before SNAT: on the entry node the source is still the client's; on another node it is the entry
 * node's address when the proxy masqueraded (or the node itself sent): its VXLAN device's address
 * (the podCIDR's network address) or, with host-gw, its underlay address.
 */
function seenSource(snap: ClusterSnapshot, entryNode: string, dstNode: string | undefined, srcIP: string, masqueraded: boolean): string {
  if (!masqueraded || !dstNode || dstNode === entryNode) return srcIP;
  const n = nodeByName(snap, entryNode);
  if (!n) return srcIP;
  if (snap.overlay === 'vxlan') { const c = podCIDROf(n); if (c) return c.split('/')[0]; }
  return internalIPOf(n) ?? srcIP;
}

function policyHop(v: PolicyVerdict, where: string, node: string, podIP: string): Hop {
  const ns = { kind: 'node' as const, node };
  return {
    kind: 'policy', where, ns, decidedBy: v.decidedBy,
    summary: `NetworkPolicy ${v.direction}${v.direction === 'egress' ? ` to ${podIP}` : ''}: ${v.allowed ? 'allowed' : 'denied, the packet is dropped'} (table ${v.table} chain ${v.chain} on node ${node})`,
    why: v.why, ok: v.allowed, fix: v.fix,
    expect: v.table && v.chain ? { kind: 'policy', ns, table: v.table, chain: v.chain, allowed: v.allowed } : undefined,
  };
}

export function planTrace(snap: ClusterSnapshot, fromText: string, toText: string, opts: TraceOptions = {}): TraceResult {
  const proto = opts.proto ?? 'tcp';
  const facts = opts.facts ?? {};
  const from = parseFrom(snap, fromText);
  const to = parseTarget(snap, toText, from);
  const srcIP = from.kind === 'pod' ? from.pod.status!.podIP! : from.ip;
  const result: TraceResult = { from: fromText, to: toText, proto, srcIP, hops: [], branches: [], ok: true, verdict: 'the path is open' };
  const where = whereOf(from);
  const srcNs = from.kind === 'pod' ? { kind: 'pod' as const, key: from.key, node: from.pod.spec?.nodeName } : from.kind === 'node' ? { kind: 'node' as const, node: from.node } : { kind: 'host' as const };

  // 1. The destination address: as given, a Service's ClusterIP, a name through the pod's resolver.
  let dstIP: string;
  let port = to.kind === 'ingress' ? to.port : to.port;
  let dstPod: PodLike | undefined;
  switch (to.kind) {
    case 'pod':
      dstIP = to.pod.status?.podIP ?? '';
      dstPod = to.pod;
      if (!dstIP) return fail(result, { kind: 'destination', where: `pod ${to.key}`, decidedBy: `Pod ${to.key}`, summary: 'the pod has no IP', why: [`phase ${to.pod.status?.phase ?? 'Pending'}`], ok: false, fix: 'wait until it runs' });
      break;
    case 'ip': dstIP = to.ip; break;
    case 'service': {
      const s = snap.services.find((x) => x.metadata.name === to.name && (x.metadata.namespace ?? 'default') === to.namespace)!;
      if (s.spec?.type === 'ExternalName') return fail(result, { kind: 'service', where, decidedBy: `Service ${to.namespace}/${to.name}`, summary: `an ExternalName Service (${s.spec.externalName}) is only a DNS CNAME`, why: ['the proxy has no rules for it'], ok: false, fix: `trace to ${s.spec.externalName}` });
      if (!s.spec?.clusterIP || s.spec.clusterIP === 'None') {
        return fail(result, { kind: 'service', where, decidedBy: `Service ${to.namespace}/${to.name}`, summary: 'a headless Service has no ClusterIP', why: ['clients reach its pods by their own IPs (DNS answers with the endpoints)'], ok: false, fix: `trace to ${to.name}.${to.namespace} by name from a pod, or to a pod` });
      }
      dstIP = s.spec.clusterIP;
      result.hops.push({ kind: 'service', where, decidedBy: `Service ${to.namespace}/${to.name}`, summary: `svc/${to.name} is ClusterIP ${dstIP}`, why: [`spec.clusterIP ${dstIP}`], ok: true });
      break;
    }
    case 'dns': {
      const conf = resolvOf(snap, from, facts);
      if (!conf) {
        return fail(result, { kind: 'dns', where, decidedBy: '/etc/resolv.conf of the host', summary: `${where} does not use cluster DNS, so it cannot resolve ${to.name}`, why: ['nodes and the host resolve through the host\'s resolv.conf; cluster DNS serves pods'], ok: false, fix: 'trace from a pod, or name the Service as svc/NAME' });
      }
      const r = resolveName(snap, to.name, conf);
      const steps = r.steps.map((s) => `${s.name} → ${s.rcode === 'NOT-CLUSTER' ? 'not in the cluster zone (forwarded upstream)' : s.answers.length ? s.answers.join(', ') : s.rcode === 'NXDOMAIN' ? 'NXDOMAIN' : 'no A record'}`);
      const hop: Hop = {
        kind: 'dns', where, ns: srcNs, decidedBy: `resolv.conf of ${where} (nameserver ${r.server}, search ${conf.searches.join(' ')}, ${conf.options.join(' ')})`,
        summary: r.answered ? `${to.name} resolves to ${r.answered.answers[0]} as ${r.answered.name}` : `${to.name} does not resolve`,
        why: [...steps, ...r.why], ok: !!r.answered, fix: r.fix,
        expect: { kind: 'dns', server: r.server ?? snap.dnsServiceIP, queries: r.steps.filter((s) => s.rcode !== 'NOT-CLUSTER').map((s) => ({ name: s.name, rcode: s.rcode as 'NOERROR' | 'NXDOMAIN', answers: s.answers })) },
      };
      if (!r.answered) return fail(result, hop);
      result.hops.push(hop);
      dstIP = r.answered.answers[0];
      break;
    }
    case 'ingress': {
      const svc = opts.plugins?.ingressService;
      if (!opts.plugins?.ingress || !svc) {
        return fail(result, { kind: 'ingress', where, decidedBy: 'Ingress', summary: 'this build of podnet has no Ingress controller to trace through', why: [], ok: false });
      }
      const ctl = snap.services.find((s) => s.metadata.name === svc.name && s.metadata.namespace === svc.namespace);
      if (!ctl) return fail(result, { kind: 'ingress', where, decidedBy: `Service ${svc.namespace}/${svc.name}`, summary: 'the Ingress controller is not installed: its Service does not exist', why: ['Ingresses are served by a controller; without one nothing listens for them'], ok: false, fix: 'kubectl apply -f addons/ingress-nginx.yaml (podnet up installs it unless --no-ingress)' });
      const lb = ctl.status?.loadBalancer?.ingress?.[0]?.ip;
      // The host reaches the controller at its LoadBalancer address; a pod or node through its ClusterIP.
      dstIP = from.kind === 'host' ? (lb ?? '') : (ctl.spec?.clusterIP ?? '');
      if (!dstIP) return fail(result, { kind: 'ingress', where, decidedBy: `Service ${svc.namespace}/${svc.name}`, summary: 'the Ingress controller\'s Service has no LoadBalancer address yet', why: ['the host reaches Ingresses through that address'], ok: false, fix: `kubectl get svc -n ${svc.namespace} ${svc.name} (EXTERNAL-IP), or trace from a pod` });
      result.hops.push({ kind: 'ingress', where, decidedBy: `Service ${svc.namespace}/${svc.name} (the Ingress controller)`, summary: `${to.url}: the request goes to the Ingress controller at ${dstIP}:${port}, which picks the Ingress rule`, why: [`host ${to.host}, path ${to.path}; ${from.kind === 'host' ? 'its LoadBalancer address' : 'its ClusterIP'} ${dstIP}`], ok: true });
      break;
    }
  }
  port ??= defaultPort(snap, dstIP, dstPod);
  result.dstIP = dstIP;
  result.dstPort = port;

  // 2. Leaving the source: a pod's eth0 → veth → cni0 on its node; a node sends itself; the host reaches
  //    node addresses (and LoadBalancer addresses one node announces) over the underlay bridge only.
  let entryNode: string;
  let origin: 'inbound' | 'local';
  if (from.kind === 'pod') {
    entryNode = from.pod.spec?.nodeName ?? '';
    origin = 'inbound';
    const gw = snap.nodes.find((n) => n.metadata?.name === entryNode);
    result.hops.push({ kind: 'source', where, ns: srcNs, decidedBy: `default route of pod ${from.key}`, summary: `leaves ${srcIP} on eth0 (default route via cni0's address) into its veth on node ${entryNode}`, why: [`the pod's only route out is its default route; the veth's other end is on ${entryNode}'s bridge cni0`], ok: true, expect: { kind: 'seen', ns: srcNs } });
    result.hops.push({ kind: 'bridge', where: `node ${entryNode}`, ns: { kind: 'node', node: entryNode }, decidedBy: `cni0 on ${entryNode}`, summary: `arrives on cni0 of node ${entryNode}; the node routes it (IP forwarding)`, why: [`cni0 holds the gateway address of ${gw ? '' : 'the '}podCIDR`], ok: true, expect: { kind: 'seen', ns: { kind: 'node', node: entryNode }, iif: 'cni0' } });
  } else if (from.kind === 'node') {
    entryNode = from.node;
    origin = 'local';
    result.hops.push({ kind: 'source', where, ns: srcNs, decidedBy: `node ${from.node}`, summary: `a process on node ${from.node} sends from ${srcIP}`, why: [], ok: true, expect: { kind: 'seen', ns: srcNs } });
  } else {
    origin = 'inbound';
    const node = nodeByIP(snap, dstIP);
    const lbSvc = snap.services.find((s) => (s.status?.loadBalancer?.ingress ?? []).some((i) => i.ip === dstIP));
    if (node) entryNode = node.metadata!.name!;
    else if (lbSvc) {
      const ann = lbSvc.metadata.annotations?.['podnet.io/announcing-node'];
      if (!ann) return fail(result, { kind: 'underlay', where, decidedBy: `Service ${lbSvc.metadata.namespace}/${lbSvc.metadata.name}`, summary: `no node announces ${dstIP} yet`, why: ['the LoadBalancer controller has not chosen a node (podnet.io/announcing-node)'], ok: false, fix: 'check that a node is Ready (kubectl get nodes)' });
      entryNode = ann;
    } else {
      const what = inCIDR(snap.serviceCIDR, dstIP) ? 'ClusterIPs' : inCIDR(snap.clusterCIDR, dstIP) ? 'pod IPs' : 'this address';
      return fail(result, { kind: 'underlay', where, decidedBy: 'the host\'s routing table', summary: `the host has no route to ${what} (${dstIP})`, why: ['podnet adds no routes into the cluster on the host: only node addresses and LoadBalancer addresses are reachable from it'], ok: false, fix: 'use a NodePort (NODE-IP:NODEPORT) or a LoadBalancer address, or trace from a pod' });
    }
    const nip = internalIPOf(snap.nodes.find((n) => n.metadata?.name === entryNode)!);
    result.hops.push({ kind: 'source', where, ns: srcNs, decidedBy: 'route on the underlay bridge', summary: `the host sends from ${srcIP} over the underlay bridge to node ${entryNode} (${nip})${node ? '' : `, which answers ARP for ${dstIP}`}`, why: node ? [] : [`Service ${lbSvc!.metadata.namespace}/${lbSvc!.metadata.name} annotation podnet.io/announcing-node=${entryNode}`], ok: true, expect: { kind: 'seen', ns: srcNs } });
    result.hops.push({ kind: 'underlay', where: `node ${entryNode}`, ns: { kind: 'node', node: entryNode }, decidedBy: `eth0 of node ${entryNode}`, summary: `arrives on eth0 of node ${entryNode}`, why: [], ok: true, expect: { kind: 'seen', ns: { kind: 'node', node: entryNode }, iif: 'eth0' } });
  }

  // 3. The service proxy on the entry node.
  const px = traceProxy(snap, entryNode, { src: srcIP, dst: dstIP, proto, dport: port, origin });
  const entryNs = { kind: 'node' as const, node: entryNode };
  if (px.verdict !== 'accept') {
    return fail(result, { kind: 'service', where: `node ${entryNode}`, ns: entryNs, decidedBy: px.service ? `Service ${px.service.metadata.namespace}/${px.service.metadata.name}` : `nftables table podnet on ${entryNode}`, summary: `the service proxy ${px.verdict === 'reject' ? 'rejects' : 'drops'} ${dstIP}:${port}/${proto}`, why: px.why, fix: px.fix, ok: false, expect: { kind: 'refused', ns: entryNs, how: px.verdict } });
  }
  const candidates = px.candidates.length ? px.candidates
    : opts.upstreams?.length ? opts.upstreams.map((endpoint) => ({ endpoint, probability: 1 / opts.upstreams!.length, nodeName: undefined }))
      : [{ endpoint: `${dstIP}:${port}`, probability: 1 }];
  if (px.candidates.length) {
    result.hops.push({ kind: 'service', where: `node ${entryNode}`, ns: entryNs, decidedBy: `Service ${px.service?.metadata.namespace}/${px.service?.metadata.name} (nftables table podnet on ${entryNode})`, summary: `the service proxy DNATs ${dstIP}:${port} to ${candidates.length === 1 ? candidates[0].endpoint : `one of ${candidates.length} endpoints`}${px.masquerade ? ', masqueraded' : ''}`, why: px.why, ok: true, expect: { kind: 'dnat', ns: entryNs, candidates: candidates.map((c) => c.endpoint) } });
  } else if (px.service) {
    result.hops.push({ kind: 'service', where: `node ${entryNode}`, ns: entryNs, decidedBy: `Service ${px.service.metadata.namespace}/${px.service.metadata.name}`, summary: 'the service proxy leaves it alone', why: px.why, ok: true });
  }

  // 4. Per endpoint: egress policy on the source's node, route to it, ingress policy at its node, the pod, its socket.
  for (const c of candidates) {
    const [ip, p] = [c.endpoint.slice(0, c.endpoint.lastIndexOf(':')), Number(c.endpoint.slice(c.endpoint.lastIndexOf(':') + 1))];
    const r = routeHops(snap, entryNode, ip);
    const pod = r.pod;
    const hops: Hop[] = [];
    const push = () => result.branches.push({ endpoint: c.endpoint, pod: pod ? podKey(pod) : undefined, node: r.node ?? c.nodeName, probability: c.probability, hops });
    const verdicts = r.hops.every((h) => h.ok) && opts.plugins?.policy
      ? opts.plugins.policy({ src: { ip: srcIP, pod: from.kind === 'pod' ? from.pod : undefined }, dst: { ip, pod }, seenSrc: seenSource(snap, entryNode, r.node, srcIP, px.masquerade || from.kind === 'node'), port: p, proto }, snap)
      : [];
    const egress = verdicts.find((v) => v.direction === 'egress');
    const ingress = verdicts.find((v) => v.direction === 'ingress');
    if (egress) {
      hops.push(policyHop(egress, where, entryNode, ip));
      // Dropped in the forward hook of the source's node: the packet is never routed on.
      if (!egress.allowed) { push(); continue; }
    }
    hops.push(...r.hops);
    if (ingress) {
      const node = r.node ?? entryNode;
      if (!ingress.allowed) {
        // Dropped in the destination node's forward hook, before it leaves on cni0: the last route hop
        // sees it arrive, not leave.
        const last = [...hops].reverse().find((h) => h.expect?.kind === 'seen' && h.expect.ns.kind === 'node' && h.expect.ns.node === node);
        if (last?.expect?.kind === 'seen') last.expect = { ...last.expect, oif: undefined };
      }
      hops.push(policyHop(ingress, `pod ${pod ? podKey(pod) : ip}`, node, ip));
      if (!ingress.allowed) { push(); continue; }
    }
    if (pod && r.hops.every((h) => h.ok)) {
      hops.push(...destinationHops(pod, p, proto, facts, px.service ? { svc: px.service, targetPort: px.servicePort?.targetPort } : undefined));
    }
    push();
  }
  const first: Branch = result.branches[0];
  const bad = first.hops.find((h) => !h.ok);
  if (bad) {
    result.ok = false;
    result.verdict = `${bad.where}: ${bad.summary}${bad.why.length ? ` — ${bad.why.join('; ')}` : ''}${bad.fix ? `. Fix: ${bad.fix}` : ''}`;
  } else if (result.branches.some((b) => b.hops.some((h) => !h.ok))) {
    result.verdict = 'the path is open for some endpoints only (see the branches)';
  }
  if (to.kind === 'ingress' && result.ok) ingressLeg(snap, result, to, opts);
  return result;
}

/**
 * In the controller pod: nginx picks the Ingress rule, then opens its own connection to one of the
 * backend Service's endpoints (ingress-nginx balances over the endpoints itself, so no ClusterIP and no
 * proxy DNAT on this leg). The second leg is a trace of its own from the controller pod.
 */
function ingressLeg(snap: ClusterSnapshot, result: TraceResult, to: Extract<ReturnType<typeof parseTarget>, { kind: 'ingress' }>, opts: TraceOptions): void {
  const first = result.branches[0];
  const ctlPod = first.pod;
  const route = opts.plugins!.ingress!(to.host, to.path, snap);
  const where = `pod ${ctlPod ?? first.endpoint}`;
  let hop: Hop;
  if (!route) {
    hop = { kind: 'ingress', where, decidedBy: 'Ingress rules (nginx\'s default server)', summary: `no Ingress rule matches host ${to.host} path ${to.path}: nginx answers 404`, why: ['neither a host rule, a wildcard host nor a catch-all rule has a path that matches, and no defaultBackend'], ok: false, fix: `add a rule for host ${to.host} and path ${to.path} to an Ingress (kubectl get ingress -A shows the hosts served)` };
  } else if (route.answer) {
    hop = { kind: 'ingress', where, decidedBy: `Ingress ${route.ingress} rule ${route.rule}`, summary: `nginx answers ${route.answer.status} itself: ${route.answer.reason}`, why: route.why, ok: false, fix: route.answer.status === 503 ? `make the backend Service's pods Ready, or fix its selector (kubectl describe ingress -n ${route.ingress.replace('/', ' ')})` : route.answer.status === 308 ? `trace https://${to.host}${to.path}` : undefined };
  } else {
    const eps = route.endpoints.map((e) => `${e.ip}:${e.port}`);
    hop = { kind: 'ingress', where, decidedBy: `Ingress ${route.ingress} rule ${route.rule}`, summary: `nginx sends it to Service ${route.service!.namespace}/${route.service!.name} port ${route.service!.port}: ${eps.length === 1 ? `endpoint ${eps[0]}` : `one of ${eps.length} endpoints, round robin`}`, why: [...route.why, `upstream = the Service's ready endpoints (${eps.join(', ')}): nginx connects to a pod directly, not through the ClusterIP`], ok: true };
  }
  for (const b of result.branches) b.hops.push(hop);
  if (!hop.ok) {
    result.ok = false;
    result.verdict = `${hop.where}: ${hop.summary}${hop.why.length ? ` — ${hop.why.join('; ')}` : ''}${hop.fix ? `. Fix: ${hop.fix}` : ''}`;
    return;
  }
  if (!ctlPod) return;
  const eps = route!.endpoints;
  const next = planTrace(snap, ctlPod, `${eps[0].ip}:${eps[0].port}`, { ...opts, upstreams: eps.map((e) => `${e.ip}:${e.port}`) });
  result.next = next;
  if (!next.ok) { result.ok = false; result.verdict = `second leg (nginx → backend): ${next.verdict}`; }
}
