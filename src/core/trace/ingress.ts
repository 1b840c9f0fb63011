// Ingress for a trace: the route table podnet's ingress-nginx controller builds (planIngressRoutes over
// the Ingresses of its class) and the same matcher nginx's configuration follows (matchIngressRoute), so
// the trace and nginx cannot disagree about where http://host/path goes. Secrets are left out: they
// decide which certificate is served, never which route answers.
import { ingressClassOwns, matchIngressRoute, planIngressRoutes, type RouteTable } from '../ingress/index.js';
import type { KubeObject } from '../api/object.js';
import type { ClusterSnapshot, IngressRoute } from './types.js';

const tables = new WeakMap<ClusterSnapshot, RouteTable>();

function tableOf(snap: ClusterSnapshot, controllerClass: string): RouteTable {
  let t = tables.get(snap);
  if (!t) {
    const classes = (snap.ingressClasses ?? []) as KubeObject[];
    const owned = ((snap.ingresses ?? []) as KubeObject[]).filter((i) => !i.metadata.deletionTimestamp && ingressClassOwns(i, classes, controllerClass));
    t = planIngressRoutes({ ingresses: owned, services: snap.services as never, endpointSlices: snap.endpointSlices as never, secrets: [] });
    tables.set(snap, t);
  }
  return t;
}

/** The route the controller of `controllerClass` takes for host + path; undefined: nginx answers 404. */
export function ingressRouter(controllerClass: string): (host: string, path: string, snap: ClusterSnapshot) => IngressRoute | undefined {
  return (host, path, snap) => {
    const m = matchIngressRoute(tableOf(snap, controllerClass), host, path);
    if (m.kind === 'notFound') return undefined;
    const r = m.route;
    const server = m.server.host || '* (any host)';
    const rule = m.fallback ? `defaultBackend (host ${server}: no path matches ${path})` : `host ${server} path ${r.path} (${r.match})`;
    const why = [`Host ${host}: server ${server}; path ${path} matches ${m.fallback ? 'no rule, the Ingress\'s defaultBackend answers' : `${r.match} ${r.path}`}`];
    if (r.rewriteTarget) why.push(`the request URI is rewritten to ${r.rewriteTarget}`);
    if (r.allowSources) why.push(`only clients from ${r.allowSources.join(', ')} are allowed (others get 403)`);
    const base = { ingress: r.ingress, rule, why, endpoints: [] as IngressRoute['endpoints'] };
    if (r.backend.kind === 'status') return { ...base, answer: { status: r.backend.status, reason: r.backend.reason } };
    const service = { namespace: r.backend.namespace, name: r.backend.service, port: r.backend.port };
    if (r.sslRedirect) return { ...base, service, answer: { status: 308, reason: `the host has TLS and ssl-redirect is on: nginx redirects http:// to https://${host}${path}` } };
    if (!r.backend.endpoints.length) {
      return { ...base, service, answer: { status: 503, reason: `Service ${service.namespace}/${service.name} port ${service.port} has no ready endpoints` } };
    }
    return { ...base, service, endpoints: r.backend.endpoints };
  };
}
