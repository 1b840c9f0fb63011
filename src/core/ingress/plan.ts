// planIngressRoutes: Ingresses + Services + EndpointSlices + Secrets → the route table, as ingress-nginx
// builds its model (internal/ingress/controller/controller.go): Ingresses in creation order (oldest
// first), rules of every Ingress for one host merged into one server, the oldest Ingress winning a path,
// TLS section or default backend that several define; upstreams are the Service's ready endpoints.
// Everything a user can get wrong becomes an IngressProblem on that Ingress alone.
import type { JsonObject, KubeObject } from '../api/object.js';
import { AnnotationError, checkRegexPath, parseAnnotations, type IngressAnnotations } from './annotations.js';
import { normalizePrefix, wildcardMatches } from './paths.js';
import type {
  Certificate, Endpoint, IngressInputs, IngressProblem, MatchKind, Route, RouteBackend, RouteTable, Server,
} from './types.js';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Oldest first, as ingress-nginx sorts; the name breaks ties so the result never depends on list order. */
export function byAge(a: KubeObject, b: KubeObject): number {
  const ta = a.metadata.creationTimestamp ?? '', tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = keyOf(a), kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

class Problems {
  readonly list: IngressProblem[] = [];
  private readonly seen = new Set<string>();
  add(ing: KubeObject, reason: string, message: string, type: 'Warning' | 'Normal' = 'Warning'): void {
    const k = `${keyOf(ing)}|${reason}|${message}`;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.list.push({ namespace: ing.metadata.namespace ?? 'default', name: ing.metadata.name ?? '', type, reason, message });
  }
}

/** The ready endpoints of one Service port, from its EndpointSlices (ready unset counts as ready). */
export function readyEndpoints(slices: KubeObject[], portName: string): Endpoint[] {
  const out = new Map<string, Endpoint>();
  for (const s of slices as JsonObject[]) {
    if (s.addressType !== 'IPv4') continue;
    const port = ((s.ports ?? []) as JsonObject[]).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === 'TCP');
    if (!port || typeof port.port !== 'number') continue;
    for (const ep of (s.endpoints ?? []) as JsonObject[]) {
      if (ep.conditions?.ready === false) continue;
      for (const ip of (ep.addresses ?? []) as string[]) out.set(`${ip}:${port.port}`, { ip, port: port.port });
    }
  }
  return [...out.values()].sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}

interface Index {
  services: Map<string, JsonObject>;
  slices: Map<string, KubeObject[]>;
  secrets: Map<string, JsonObject>;
}

function indexInputs(inputs: IngressInputs): Index {
  const slices = new Map<string, KubeObject[]>();
  for (const s of inputs.endpointSlices) {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    const k = `${s.metadata.namespace}/${svc}`;
    (slices.get(k) ?? slices.set(k, []).get(k)!).push(s);
  }
  return {
    services: new Map(inputs.services.map((s) => [keyOf(s), s as JsonObject])),
    slices,
    secrets: new Map(inputs.secrets.map((s) => [keyOf(s), s as JsonObject])),
  };
}

function resolveBackend(ing: KubeObject, backend: JsonObject | undefined, idx: Index, problems: Problems): RouteBackend {
  const ns = ing.metadata.namespace ?? 'default';
  if (backend?.resource) {
    const r = backend.resource as JsonObject;
    const what = `${r.kind}${r.apiGroup ? `.${r.apiGroup}` : ''}/${r.name}`;
    const reason = `resource backend ${what} is not supported by this controller (ingress-nginx serves only Service backends); use spec...backend.service`;
    problems.add(ing, 'UnsupportedBackend', reason);
    return { kind: 'status', status: 500, reason };
  }
  const svcRef = (backend?.service ?? {}) as JsonObject;
  const name = String(svcRef.name ?? '');
  const portRef = svcRef.port ?? {};
  const portText = portRef.name ? String(portRef.name) : String(portRef.number ?? '');
  const svc = idx.services.get(`${ns}/${name}`);
  if (!svc) {
    const reason = `Service "${ns}/${name}" not found; create it or fix the backend's service.name`;
    problems.add(ing, 'ServiceNotFound', reason);
    return { kind: 'status', status: 503, reason };
  }
  if (svc.spec?.type === 'ExternalName') {
    const reason = `Service "${ns}/${name}" is of type ExternalName, which this controller does not proxy to`;
    problems.add(ing, 'UnsupportedBackend', reason);
    return { kind: 'status', status: 503, reason };
  }
  const ports = (svc.spec?.ports ?? []) as JsonObject[];
  const sp = portRef.name ? ports.find((p) => p.name === portRef.name) : ports.find((p) => p.port === portRef.number);
  if (!sp || (sp.protocol ?? 'TCP') !== 'TCP') {
    const have = ports.map((p) => (p.name ? `${p.name}(${p.port})` : String(p.port))).join(', ') || 'none';
    const reason = `Service "${ns}/${name}" has no TCP port ${portText} (its ports: ${have}); fix the backend's service.port`;
    problems.add(ing, 'PortNotFound', reason);
    return { kind: 'status', status: 503, reason };
  }
  const endpoints = readyEndpoints(idx.slices.get(`${ns}/${name}`) ?? [], String(sp.name ?? ''));
  // `_` appears in no namespace, Service or port name: `a-b`/`c` and `a`/`b-c` get different upstreams.
  const upstream = `${ns}_${name}_${portText}`;
  if (endpoints.length === 0) {
    // Normal, not Warning: a Deployment scaled to zero or still starting is not a mistake in the Ingress.
    return { kind: 'status', status: 503, reason: `Service "${ns}/${name}" has no ready endpoints` };
  }
  return { kind: 'service', namespace: ns, service: name, port: portText, upstream, endpoints };
}

function matchKindOf(pathType: string, ann: IngressAnnotations | undefined): MatchKind {
  if (pathType === 'Exact') return 'Exact';
  // As ingress-nginx: use-regex or rewrite-target turn the Ingress's paths into regular expressions.
  if (ann && (ann.useRegex || ann.rewriteTarget !== undefined)) return 'Regex';
  return 'Prefix';
}

/** The key under which two routes of one host are the same route (the oldest Ingress keeps it). */
function routeKey(r: Route): string {
  return `${r.match} ${r.match === 'Prefix' ? normalizePrefix(r.path) : r.path}`;
}

function makeRoute(ing: KubeObject, match: MatchKind, path: string, backend: RouteBackend, ann: IngressAnnotations | undefined, annError: string | undefined): Route {
  const route: Route = {
    match, path, ingress: keyOf(ing),
    backend: annError ? { kind: 'status', status: 503, reason: annError } : backend,
    sslRedirect: false, protocol: ann?.protocol ?? 'HTTP', bodySize: ann?.bodySize ?? '1m',
  };
  if (ann?.rewriteTarget !== undefined && match !== 'Exact') route.rewriteTarget = ann.rewriteTarget;
  if (ann?.allowSources) route.allowSources = ann.allowSources;
  return route;
}

/** Exact first, then longer paths first (regexes as ingress-nginx orders them), then by path text. */
function routeOrder(a: Route, b: Route): number {
  const rank = (r: Route) => (r.match === 'Exact' ? 0 : r.match === 'Regex' ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const la = a.match === 'Prefix' ? normalizePrefix(a.path).length : a.path.length;
  const lb = b.match === 'Prefix' ? normalizePrefix(b.path).length : b.path.length;
  if (la !== lb) return lb - la;
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function tlsHostCovers(tlsHost: string, host: string): boolean {
  return tlsHost === host || (tlsHost.startsWith('*.') && wildcardMatches(tlsHost, host));
}

/** The certificate of a kubernetes.io/tls Secret, or a reason it cannot be used. */
function certificateOf(secret: JsonObject | undefined, key: string): Certificate | string {
  if (!secret) return `Secret "${key}" not found; the default (self-signed) certificate is served instead. Create it with kubectl create secret tls`;
  const data = (secret.data ?? {}) as Record<string, string>;
  const crt = data['tls.crt'] ? Buffer.from(data['tls.crt'], 'base64').toString('utf8') : '';
  const k = data['tls.key'] ? Buffer.from(data['tls.key'], 'base64').toString('utf8') : '';
  if (!crt.includes('-----BEGIN CERTIFICATE-----') || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(k)) {
    return `Secret "${key}" has no PEM certificate in tls.crt and key in tls.key (type ${secret.type ?? 'Opaque'}); the default certificate is served instead`;
  }
  return { crt, key: k };
}

export function planIngressRoutes(inputs: IngressInputs): RouteTable {
  const idx = indexInputs(inputs);
  const problems = new Problems();
  const servers = new Map<string, Server>();
  const owners = new Map<string, Map<string, Route>>();
  const tlsOf = new Map<string, { secret?: string; ingress: string }>();
  const tlsHostsOfIngress = new Map<string, string[]>();
  const annotationsOf = new Map<string, IngressAnnotations | undefined>();
  const certificates = new Map<string, Certificate>();
  const server = (host: string): Server => {
    let s = servers.get(host);
    if (!s) { s = { host, routes: [] }; servers.set(host, s); owners.set(host, new Map()); }
    return s;
  };
  server('');

  for (const ing of [...inputs.ingresses].sort(byAge)) {
    const spec = ((ing as JsonObject).spec ?? {}) as JsonObject;
    let ann: IngressAnnotations | undefined;
    let annError: string | undefined;
    try { ann = parseAnnotations(ing.metadata.annotations); } catch (e) {
      if (!(e instanceof AnnotationError)) throw e;
      annError = `${e.message}; this Ingress answers 503 until the annotation is fixed`;
      problems.add(ing, 'InvalidAnnotation', annError);
    }
    annotationsOf.set(keyOf(ing), ann);

    const hostsOfIngress = new Set<string>();
    for (const rule of (spec.rules ?? []) as JsonObject[]) {
      const host = String(rule.host ?? '').toLowerCase();
      hostsOfIngress.add(host);
      const srv = server(host);
      const taken = owners.get(host)!;
      for (const p of (rule.http?.paths ?? []) as JsonObject[]) {
        const pathType = String(p.pathType ?? 'ImplementationSpecific');
        const match = matchKindOf(pathType, ann);
        let path = String(p.path ?? '');
        if (path === '') path = '/';
        const pathError = annError;
        if (match === 'Regex' && !pathError) {
          try { checkRegexPath(path); } catch (e) {
            // Left out of nginx.conf altogether: nginx -t would refuse the whole file for it.
            problems.add(ing, 'InvalidPath', `${(e as Error).message}; this path is not served`);
            continue;
          }
        }
        const route = makeRoute(ing, match, path, resolveBackend(ing, p.backend, idx, problems), ann, pathError);
        const k = routeKey(route);
        const owner = taken.get(k);
        if (owner) {
          if (owner.ingress !== route.ingress) {
            problems.add(ing, 'PathConflict', `${pathType} path ${path} of host ${host || '*'} is served by the older Ingress ${owner.ingress}; the oldest Ingress wins`);
          }
          continue;
        }
        taken.set(k, route);
        srv.routes.push(route);
      }
    }
    if (spec.defaultBackend) {
      // The Ingress's own hosts fall back to it, and so do unknown hosts if no older Ingress claimed them.
      const fallback = makeRoute(ing, 'Prefix', '/', resolveBackend(ing, spec.defaultBackend, idx, problems), ann, annError);
      for (const host of new Set(['', ...hostsOfIngress])) {
        const srv = server(host);
        if (!srv.fallback) srv.fallback = { ...fallback };
      }
    }
    const tlsHosts: string[] = [];
    for (const t of (spec.tls ?? []) as JsonObject[]) {
      const secretName = t.secretName ? String(t.secretName) : undefined;
      const secretKey = secretName ? `${ing.metadata.namespace}/${secretName}` : undefined;
      let usable: string | undefined;
      if (secretKey) {
        const cert = certificateOf(idx.secrets.get(secretKey), secretKey);
        if (typeof cert === 'string') problems.add(ing, 'SecretNotFound', cert);
        else { certificates.set(secretKey, cert); usable = secretKey; }
      }
      for (const h of (t.hosts ?? []) as string[]) {
        const host = h.toLowerCase();
        tlsHosts.push(host);
        if (!tlsOf.has(host)) tlsOf.set(host, { secret: usable, ingress: keyOf(ing) });
      }
    }
    tlsHostsOfIngress.set(keyOf(ing), tlsHosts);
  }

  const usedSecrets = new Set<string>();
  for (const srv of servers.values()) {
    if (srv.host !== '') {
      const tls = tlsOf.get(srv.host) ?? [...tlsOf].find(([h]) => tlsHostCovers(h, srv.host))?.[1];
      if (tls) { srv.tls = tls; if (tls.secret) usedSecrets.add(tls.secret); }
    }
    for (const r of [...srv.routes, ...(srv.fallback ? [srv.fallback] : [])]) {
      const ann = annotationsOf.get(r.ingress);
      const ownTls = (tlsHostsOfIngress.get(r.ingress) ?? []).some((h) => tlsHostCovers(h, srv.host));
      // ingress-nginx: ssl-redirect (default true) applies where the server has TLS; force-ssl-redirect always.
      r.sslRedirect = !!ann && (ann.forceSslRedirect || (srv.host !== '' && (!!srv.tls || ownTls) && ann.sslRedirect !== false));
    }
    srv.routes.sort(routeOrder);
  }
  for (const k of [...certificates.keys()]) if (!usedSecrets.has(k)) certificates.delete(k);

  const list = [...servers.values()].sort((a, b) => (a.host === '' ? -1 : b.host === '' ? 1 : a.host < b.host ? -1 : 1));
  return { servers: list, certificates, problems: problems.list };
}
