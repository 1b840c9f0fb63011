// The query grammar of the kubernetes plugin (CoreDNS plugin/kubernetes/parse.go). With the zone
// trimmed, labels are read right to left: `svc` or `pod`, the namespace, the service (or pod), then
// what is left: one label is an endpoint name, two are `_port._protocol`, more is too long.
//
//   _http._tcp.web.shop.svc.<zone>   SRV style       → { kind svc, namespace shop, service web, port http, protocol tcp }
//   web-0.web.shop.svc.<zone>        endpoint name   → { ..., endpoint web-0 }
//   web.shop.svc.<zone>              service         → { ..., service web }
//   10-244-1-5.shop.pod.<zone>       pod             → { kind pod, namespace shop, service 10-244-1-5 }
//   <zone>, svc.<zone>, pod.<zone>   exist, no data  → { kind '' }

export interface KubeRequest {
  /** '' for the zone apex and for `svc.<zone>` / `pod.<zone>`. */
  kind: 'svc' | 'pod' | '';
  namespace: string;
  /** Service name, or the dashed IP of a pod query. */
  service: string;
  endpoint: string;
  /** Port name and protocol of an SRV-style name, underscores stripped; '' matches any. */
  port: string;
  protocol: string;
}

/** Parses the labels in front of the zone (canonical, right-most last); undefined: not a name the plugin serves (NXDOMAIN). */
export function parseKubeRequest(labels: readonly string[]): KubeRequest | undefined {
  const r: KubeRequest = { kind: '', namespace: '', service: '', endpoint: '', port: '', protocol: '' };
  if (labels.length === 0) return r;
  if (labels.length === 1 && (labels[0] === 'svc' || labels[0] === 'pod')) return r;
  let last = labels.length - 1;
  const kind = labels[last];
  if (kind !== 'svc' && kind !== 'pod') return undefined;
  r.kind = kind;
  if (--last < 0) return r;
  r.namespace = labels[last];
  if (--last < 0) return r;
  r.service = labels[last];
  if (--last < 0) return r;
  if (last === 0) {
    r.endpoint = labels[0];
  } else if (last === 1) {
    r.protocol = stripUnderscore(labels[1]);
    r.port = stripUnderscore(labels[0]);
  } else {
    return undefined;
  }
  return r;
}

function stripUnderscore(s: string): string {
  return s.startsWith('_') ? s.slice(1) : s;
}
