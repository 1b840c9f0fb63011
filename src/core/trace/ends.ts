// The two ends of a trace, as the user names them: FROM is `host`, a node or `[ns/]pod`; TO is a pod, a
// Service (`svc/name`, `svc/ns/name`), an Ingress URL, an IP (a pod, ClusterIP, node IP:NodePort, a
// LoadBalancer address), or anything else a pod would type as a DNS name (`web`, `web.my-app`).
import { isIP } from '../net/index.js';
import type { ClusterSnapshot, Endpoint, PodLike, Target } from './types.js';
import { internalIPOf, podKey } from './snapshot.js';

export class TraceInputError extends Error {
  constructor(message: string) { super(message); this.name = 'TraceInputError'; }
}

function findPod(snap: ClusterSnapshot, text: string, defaultNs: string): PodLike | undefined {
  const [ns, name] = text.includes('/') ? text.split('/', 2) : [defaultNs, text];
  return snap.pods.find((p) => p.metadata.name === name && (p.metadata.namespace ?? 'default') === ns);
}

export function parseFrom(snap: ClusterSnapshot, text: string): Endpoint {
  if (text === 'host') return { kind: 'host', ip: snap.hostIP };
  const node = snap.nodes.find((n) => n.metadata?.name === text);
  if (node) {
    const ip = internalIPOf(node);
    if (!ip) throw new TraceInputError(`node ${text} has no InternalIP yet: wait until its agent has registered it (kubectl get nodes -o wide)`);
    return { kind: 'node', node: text, ip };
  }
  const pod = findPod(snap, text, 'default');
  if (!pod) {
    throw new TraceInputError(`FROM ${JSON.stringify(text)} is neither "host", a node (${snap.nodes.map((n) => n.metadata?.name).join(', ')}) nor a pod: name a pod as [namespace/]pod (kubectl get pods -A)`);
  }
  if (!pod.status?.podIP) throw new TraceInputError(`pod ${podKey(pod)} has no IP yet (phase ${pod.status?.phase ?? 'Pending'}): wait until it runs (kubectl wait --for=condition=Ready pod/${pod.metadata.name})`);
  return { kind: 'pod', pod, key: podKey(pod) };
}

/** Splits a trailing `:PORT` (IPv4 and names only; URLs keep theirs). */
function splitPort(text: string): { base: string; port?: number } {
  const m = /^(.*):(\d{1,5})$/.exec(text);
  if (!m) return { base: text };
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new TraceInputError(`port ${m[2]} is out of range: use 1-65535`);
  return { base: m[1], port };
}

export function parseTarget(snap: ClusterSnapshot, text: string, from: Endpoint): Target {
  const fromNs = from.kind === 'pod' ? (from.pod.metadata.namespace ?? 'default') : 'default';
  if (/^https?:\/\//i.test(text)) {
    let u: URL;
    try { u = new URL(text); } catch { throw new TraceInputError(`${text} is not a URL: write it as http://host/path`); }
    const scheme = u.protocol === 'https:' ? 'https' : 'http';
    return { kind: 'ingress', url: text, host: u.hostname, path: u.pathname || '/', port: Number(u.port) || (scheme === 'https' ? 443 : 80), scheme };
  }
  const { base, port } = splitPort(text);
  const svc = /^(?:svc|service|services)\/(?:([^/]+)\/)?([^/]+)$/.exec(base);
  if (svc) {
    const namespace = svc[1] ?? fromNs;
    if (!snap.services.some((s) => s.metadata.name === svc[2] && (s.metadata.namespace ?? 'default') === namespace)) {
      const elsewhere = snap.services.filter((s) => s.metadata.name === svc[2]).map((s) => s.metadata.namespace);
      throw new TraceInputError(`there is no Service ${svc[2]} in namespace ${namespace}${elsewhere.length ? `; there is one in ${elsewhere.join(', ')}: write svc/${elsewhere[0]}/${svc[2]}` : ' (kubectl get svc -A)'}`);
    }
    return { kind: 'service', namespace, name: svc[2], port };
  }
  if (isIP(base)) return { kind: 'ip', ip: base, port };
  const pod = findPod(snap, base, fromNs);
  if (pod) return { kind: 'pod', pod, key: podKey(pod), port };
  const node = snap.nodes.find((n) => n.metadata?.name === base);
  if (node && internalIPOf(node)) return { kind: 'ip', ip: internalIPOf(node)!, port };
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\.?$/i.test(base)) {
    throw new TraceInputError(`TO ${JSON.stringify(text)} is not a pod, svc/NAME, URL, IP or DNS name`);
  }
  return { kind: 'dns', name: base, port };
}
