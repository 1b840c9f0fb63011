// planDnsAnswer for the cluster zone: what CoreDNS's kubernetes plugin answers for one question, as a
// pure function of its settings and the ClusterIndex. It follows plugin/kubernetes (handler.go,
// kubernetes.go, reverse.go, ns.go) and plugin/backend_lookup.go:
//  - records per the Kubernetes DNS spec 1.1.0 (ClusterIP A/AAAA, headless per-endpoint A/AAAA and
//    hostnames, SRV per named port, PTR, ExternalName CNAME, dns-version TXT) plus CoreDNS's extensions
//    (endpoint names for any Service, bare-name SRV, pod A records per `pods` mode, NS/SOA at the apex);
//  - NXDOMAIN for names that do not exist and NODATA for names that do, both with the zone's SOA in the
//    authority section; SERVFAIL instead of NXDOMAIN until the informers have synced;
//  - owner names keep the query's case; SRV/NS targets are Kubernetes' lower-case names + the zone as asked.
// An ExternalName whose target lies outside the zone cannot be completed here: the result then carries
// `chase` and the server resolves the target through its own chain (CoreDNS's upstream lookup).
import type { ClusterIndex, ServiceInfo } from './cluster-index.js';
import { parseKubeRequest, type KubeRequest } from './kube-grammar.js';
import { canonical, inZone, ipFromReverse, labelsBefore, matchZone, zoneAsAsked } from './names.js';
import { canonicalIP, isIP, isIPv4 } from '../net/index.js';
import type { KubernetesConfig } from './plugin-config.js';
import { Rcode, RRClass, RRType, type ResourceRecord, type SrvData } from './types.js';

export const DNS_SCHEMA_VERSION = '1.1.0';
const DNS_VERSION_TTL = 28800;

export interface KubeContext {
  cfg: KubernetesConfig;
  index: ClusterIndex;
  /** This DNS server's own pod IPs: NS records name the Services whose endpoints they are. */
  localIPs: readonly string[];
}

/** An ExternalName target outside the zone, to be resolved by the server; its answer goes after `prefix`. */
export interface Chase { target: string; type: number; prefix: ResourceRecord[] }

export type KubeResult =
  | { kind: 'next' }
  | {
    kind: 'reply'; rcode: number; answer: ResourceRecord[]; authority: ResourceRecord[]; additional: ResourceRecord[];
    chase?: Chase;
    /** The zone's SOA, for the server to answer NODATA when a chase comes back empty. */
    soa: ResourceRecord;
  };

/** CoreDNS's msg.Service: one candidate answer. `host` is an IP, a name (CNAME) or, for TXT, unused. */
interface Candidate { host: string; port: number; ttl: number; target: string; text?: string }

class NameError extends Error {}
const NXDOMAIN = new NameError('name error');

interface State {
  ctx: KubeContext;
  /** The plugin zone that matched (canonical) and as the query spelled it. */
  zone: string;
  zoneAsked: string;
}

const rr = (name: string, type: number, ttl: number, data: ResourceRecord['data']): ResourceRecord => ({ name, type, class: RRClass.IN, ttl, data });

function hostType(host: string): number {
  if (isIPv4(host)) return RRType.A;
  return isIP(host) ? RRType.AAAA : RRType.CNAME;
}

function namespaceExposed(ctx: KubeContext, ns: string): boolean {
  if (ctx.cfg.namespaces) return ctx.cfg.namespaces.includes(ns);
  return ctx.index.namespaceExists(ns);
}

/** The endpoint's name: its hostname, else (endpoint_pod_names) the pod's name if ≤ 63 chars, else the dashed IP. */
export function endpointHostname(ep: { ip: string; hostname?: string; podName?: string }, podNames: boolean): string {
  if (ep.hostname) return ep.hostname;
  if (podNames && ep.podName && ep.podName.length <= 63) return ep.podName;
  if (ep.ip.includes('.')) return ep.ip.replaceAll('.', '-');
  const dashed = ep.ip.replaceAll(':', '-');
  return dashed.endsWith('-') ? `${dashed}0` : dashed;
}

const match = (want: string, have: string) => want === '' || want === have.toLowerCase();

function findServices(s: State, r: KubeRequest): Candidate[] {
  const { cfg, index } = s.ctx;
  if (!namespaceExposed(s.ctx, r.namespace)) throw NXDOMAIN;
  if (r.service === '') return [];
  const svc = index.service(r.namespace, r.service);
  if (!svc) throw NXDOMAIN;
  const base = `${svc.name}.${svc.namespace}.svc.${s.zoneAsked}`;
  const out: Candidate[] = [];
  let found = false;
  if (cfg.ignoreEmptyService && svc.type !== 'ExternalName' && !svc.headless && index.endpoints(svc.namespace, svc.name).length === 0) throw NXDOMAIN;
  if (svc.type === 'ExternalName') {
    // No endpoints or ports behind an ExternalName; an IP literal is not a name to CNAME to.
    if (r.endpoint || r.port || r.protocol || !svc.externalName || hostType(svc.externalName) !== RRType.CNAME) throw NXDOMAIN;
    return [{ host: canonicalTarget(svc.externalName), port: 0, ttl: cfg.ttl, target: base }];
  }
  if (svc.headless || r.endpoint) {
    if (cfg.noEndpoints) throw NXDOMAIN;
    for (const ep of index.endpoints(svc.namespace, svc.name)) {
      const hostname = endpointHostname(ep, cfg.endpointPodNames);
      if (r.endpoint && r.endpoint !== hostname.toLowerCase()) continue;
      for (const p of ep.ports) {
        if (!(match(r.port, p.name) && match(r.protocol, p.protocol))) continue;
        found = true;
        out.push({ host: ep.ip, port: p.port, ttl: cfg.ttl, target: `${hostname}.${base}` });
      }
    }
  } else {
    for (const p of svc.ports) {
      if (!(match(r.port, p.name) && match(r.protocol, p.protocol))) continue;
      found = true;
      for (const ip of svc.clusterIPs) out.push({ host: ip, port: p.port, ttl: cfg.ttl, target: base });
    }
  }
  if (!found) throw NXDOMAIN;
  return out;
}

function findPods(s: State, r: KubeRequest): Candidate[] {
  const { cfg, index } = s.ctx;
  if (cfg.pods === 'disabled') throw NXDOMAIN;
  if (!namespaceExposed(s.ctx, r.namespace)) throw NXDOMAIN;
  const podname = r.service;
  if (podname === '') return [];
  const dashes = podname.split('-').length - 1;
  const ip = dashes === 3 && !podname.includes('--') ? podname.replaceAll('-', '.') : podname.replaceAll('-', ':');
  const target = `${podname}.${r.namespace}.pod.${s.zoneAsked}`;
  if (cfg.pods === 'insecure') {
    if (!isIP(ip)) throw NXDOMAIN;
    return [{ host: ip, port: 0, ttl: cfg.ttl, target }];
  }
  const namespaces = isIP(ip) ? index.podNamespacesWithIP(canonicalIP(ip)) : [];
  if (!namespaces.includes(r.namespace)) throw NXDOMAIN;
  return [{ host: ip, port: 0, ttl: cfg.ttl, target }];
}

/** CoreDNS's Records(): the candidates behind a forward-zone name. */
function records(s: State, name: string): Candidate[] {
  const r = parseKubeRequest(labelsBefore(name, s.zone));
  if (!r) throw NXDOMAIN;
  if (r.kind === '') return [];
  if (name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa')) throw NXDOMAIN;
  if (!namespaceExposed(s.ctx, r.namespace)) throw NXDOMAIN;
  return r.kind === 'pod' ? findPods(s, r) : findServices(s, r);
}

/** The NS targets: Services (ClusterIPs) whose endpoints are this server's pod IPs, else ns.dns.<zone> → the pod IPs. */
function nsAddrs(s: State): Array<{ name: string; ip: string }> {
  const out: Array<{ name: string; ip: string }> = [];
  for (const local of s.ctx.localIPs) {
    for (const { namespace, service } of s.ctx.index.endpointsWithIP(local)) {
      const svc = s.ctx.index.service(namespace, service);
      if (!svc || svc.headless || svc.type === 'ExternalName') continue;
      for (const ip of svc.clusterIPs) out.push({ name: `${svc.name}.${svc.namespace}.svc.${s.zoneAsked}`, ip });
    }
  }
  if (out.length === 0) for (const ip of s.ctx.localIPs) out.push({ name: `ns.dns.${s.zoneAsked}`, ip });
  return out;
}

/** CoreDNS's Services(): records() plus the special names (dns-version TXT, ns.dns.<zone>). */
function services(s: State, name: string, qtype: number): Candidate[] {
  if (qtype === RRType.TXT) {
    const labels = labelsBefore(name, s.zone);
    if (labels.length === 1 && labels[0] === 'dns-version') return [{ host: '', port: 0, ttl: DNS_VERSION_TTL, target: '', text: DNS_SCHEMA_VERSION }];
    let existing: Candidate[] = [];
    try { existing = records(s, name); } catch { /* no such name */ }
    if (existing.length > 0) return [];
    throw NXDOMAIN;
  }
  if (name === `ns.dns.${s.zone}`) {
    return nsAddrs(s).filter((a) => hostType(a.ip) === qtype).map((a) => ({ host: a.ip, port: 0, ttl: s.ctx.cfg.ttl, target: a.name }));
  }
  const out = records(s, name);
  // SRV has no meaning for an ExternalName (CNAME) candidate.
  return qtype === RRType.SRV ? out.filter((c) => hostType(c.host) !== RRType.CNAME) : out;
}

function canonicalTarget(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

interface Addresses { records: ResourceRecord[]; chase?: Chase }

/** A / AAAA / TXT with CNAME chasing (backend_lookup.go A, AAAA, TXT). */
function addresses(s: State, qname: string, qtype: number, previous: ResourceRecord[]): Addresses {
  const name = canonical(qname);
  const cands = name === s.zone && qtype !== RRType.TXT ? [] : services(s, name, qtype);
  const out: ResourceRecord[] = [];
  const seen = new Set<string>();
  let chase: Chase | undefined;
  for (const c of cands) {
    if (c.text !== undefined) {
      if (!seen.has(c.text)) { seen.add(c.text); out.push(rr(qname, RRType.TXT, c.ttl, [c.text])); }
      continue;
    }
    const what = hostType(c.host);
    if (what === RRType.CNAME) {
      const target = c.host;
      if (canonical(target) === name) continue; // x CNAME x
      if (previous.length > 7) continue;
      const cname = rr(qname, RRType.CNAME, c.ttl, target);
      if (previous.some((p) => p.type === RRType.CNAME && canonical(p.data as string) === canonical(target) && canonical(p.name) === name)) continue;
      if (inZone(canonical(target), s.zone)) {
        let next: Addresses;
        try { next = addresses(s, target, qtype, [...previous, cname]); } catch (e) { if (e instanceof NameError) continue; throw e; }
        if (next.chase) chase = { ...next.chase, prefix: [cname, ...next.records, ...next.chase.prefix] };
        else if (next.records.length > 0) out.push(cname, ...next.records);
        continue;
      }
      // Outside the zone: the server completes it (CoreDNS's upstream Lookup).
      chase = { target, type: qtype, prefix: [cname] };
      continue;
    }
    if (what !== qtype || qtype === RRType.TXT) continue;
    if (seen.has(c.host)) continue;
    seen.add(c.host);
    out.push(rr(qname, what, c.ttl, c.host));
  }
  return { records: out, chase };
}

function srv(s: State, qname: string): { answer: ResourceRecord[]; extra: ResourceRecord[] } {
  const cands = services(s, canonical(qname), RRType.SRV);
  const answer: ResourceRecord[] = [];
  const extra: ResourceRecord[] = [];
  // Every candidate has priority 0 and weight 100: each SRV gets floor(100 / count), at least 1.
  const weight = Math.max(1, Math.floor(100 / Math.max(1, cands.length)));
  const seenSrv = new Set<string>();
  const seenAddr = new Set<string>();
  for (const c of cands) {
    if (c.port === -1) continue;
    const what = hostType(c.host);
    if (what === RRType.CNAME) continue;
    const id = `${c.target}|${c.port}`;
    if (!seenSrv.has(id)) { seenSrv.add(id); answer.push(rr(qname, RRType.SRV, c.ttl, { priority: 0, weight, port: c.port, target: c.target } satisfies SrvData)); }
    const aid = `${c.target}|${c.host}`;
    if (!seenAddr.has(aid)) { seenAddr.add(aid); extra.push(rr(c.target, what, c.ttl, c.host)); }
  }
  return { answer, extra };
}

function ptr(s: State, qname: string): ResourceRecord[] {
  const name = canonical(qname);
  const ip = ipFromReverse(name);
  if (!ip) {
    const cands = records(s, name);
    return cands.filter((c) => hostType(c.host) === RRType.CNAME).slice(0, 1).map((c) => rr(qname, RRType.PTR, c.ttl, c.host));
  }
  const { cfg, index } = s.ctx;
  const primary = cfg.zones.find((z) => !z.endsWith('in-addr.arpa') && !z.endsWith('ip6.arpa')) ?? cfg.zones[0];
  const exposed = (ns: string) => !cfg.namespaces || cfg.namespaces.includes(ns);
  // A ClusterIP wins; endpoints are looked at only when no Service has the IP.
  const svc: ServiceInfo | undefined = index.servicesWithIP(ip).find((x) => exposed(x.namespace));
  const targets: string[] = [];
  if (svc) targets.push(`${svc.name}.${svc.namespace}.svc.${primary}`);
  else if (!cfg.noEndpoints) {
    for (const { namespace, service, endpoint } of index.endpointsWithIP(ip)) {
      if (!exposed(namespace)) continue;
      targets.push(`${endpointHostname(endpoint, cfg.endpointPodNames)}.${service}.${namespace}.svc.${primary}`);
    }
  }
  if (targets.length === 0) throw NXDOMAIN;
  return [...new Set(targets)].map((t) => rr(qname, RRType.PTR, cfg.ttl, t));
}

/** The zone's SOA: `<zone> SOA ns.dns.<zone> hostmaster.<zone> <serial> 7200 1800 86400 <ttl>`. */
export function soaRecord(zoneAsked: string, ttl: number, serial: number): ResourceRecord {
  return rr(zoneAsked, RRType.SOA, Math.min(ttl, 300), {
    mname: zoneAsked === '.' ? 'ns.dns' : `ns.dns.${zoneAsked}`, rname: zoneAsked === '.' ? 'hostmaster' : `hostmaster.${zoneAsked}`,
    serial: serial >>> 0, refresh: 7200, retry: 1800, expire: 86400, minimum: ttl,
  });
}

/** What the kubernetes plugin answers for (qname, qtype): a reply, or 'next' (not its zone, or fallthrough). */
export function planDnsAnswer(ctx: KubeContext, qname: string, qtype: number): KubeResult {
  const name = canonical(qname);
  const zone = matchZone(name, ctx.cfg.zones);
  if (zone === undefined) return { kind: 'next' };
  const s: State = { ctx, zone, zoneAsked: zoneAsAsked(qname, zone) };
  let answer: ResourceRecord[] = [];
  let additional: ResourceRecord[] = [];
  let chase: Chase | undefined;
  const soa = () => soaRecord(s.zoneAsked, ctx.cfg.ttl, ctx.index.modified);
  const reply = (rcode: number, authority: ResourceRecord[] = []): KubeResult => ({ kind: 'reply', rcode, answer, authority, additional, chase, soa: soa() });
  try {
    switch (qtype) {
      case RRType.AXFR: case RRType.IXFR:
        return reply(Rcode.REFUSED);
      case RRType.A: case RRType.AAAA: case RRType.TXT: {
        const got = addresses(s, qname, qtype, []);
        answer = got.records;
        chase = got.chase;
        break;
      }
      case RRType.CNAME: {
        const c = services(s, name, qtype)[0];
        if (c && hostType(c.host) === RRType.CNAME) answer = [rr(qname, RRType.CNAME, c.ttl, c.host)];
        break;
      }
      case RRType.PTR: answer = ptr(s, qname); break;
      case RRType.SRV: ({ answer, extra: additional } = srv(s, qname)); break;
      case RRType.MX: services(s, name, qtype); break; // no Kubernetes record is a mail exchanger
      case RRType.SOA: case RRType.NS:
        if (name === zone) {
          if (qtype === RRType.SOA) answer = [soaRecord(s.zoneAsked, ctx.cfg.ttl, ctx.index.modified)];
          else {
            const seen = new Set<string>();
            for (const a of nsAddrs(s)) {
              additional.push(rr(a.name, hostType(a.ip), ctx.cfg.ttl, a.ip));
              if (!seen.has(a.name)) { seen.add(a.name); answer.push(rr(qname, RRType.NS, ctx.cfg.ttl, a.name)); }
            }
          }
          break;
        }
        addresses(s, qname, RRType.A, []);
        break;
      default:
        // Tells NODATA from NXDOMAIN with an A lookup of the same name.
        addresses(s, qname, RRType.A, []);
    }
  } catch (e) {
    if (!(e instanceof NameError)) throw e;
    if (ctx.cfg.fallthrough && matchZone(name, ctx.cfg.fallthrough) !== undefined) return { kind: 'next' };
    answer = []; additional = []; chase = undefined;
    return reply(ctx.index.synced ? Rcode.NXDOMAIN : Rcode.SERVFAIL, [soa()]);
  }
  if (answer.length === 0 && !chase) {
    additional = [];
    return reply(Rcode.NOERROR, [soa()]);
  }
  return reply(Rcode.NOERROR);
}
