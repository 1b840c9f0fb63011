// The model dataplane: which route of a route table answers a request, by the same rules nginx is
// configured with (nginx-conf.ts). `podnet trace` uses it to say where a URL goes without sending it.
import { normalizeHost, normalizePrefix, prefixMatches, wildcardMatches } from './paths.js';
import type { Route, RouteTable, Server } from './types.js';

export type IngressMatch =
  /** A route answers: its backend (a Service's endpoints, or a status nginx returns itself). */
  | { kind: 'route'; server: Server; route: Route; fallback: boolean }
  /** No route: nginx's default server answers 404. */
  | { kind: 'notFound'; server: Server };

/** The server for a Host header: exact name, then a one-label wildcard, then the catch-all server. */
export function selectServer(table: RouteTable, hostHeader: string): Server {
  const host = normalizeHost(hostHeader);
  const exact = table.servers.find((s) => s.host === host && host !== '');
  if (exact) return exact;
  const wild = table.servers.find((s) => s.host.startsWith('*.') && wildcardMatches(s.host, host));
  if (wild) return wild;
  return table.servers.find((s) => s.host === '') ?? { host: '', routes: [] };
}

/** The path part of a request target (before `?` and `#`). */
function pathOf(target: string): string {
  const q = target.search(/[?#]/);
  const p = q >= 0 ? target.slice(0, q) : target;
  return p.startsWith('/') ? p : `/${p}`;
}

function regexMatches(route: Route, path: string): boolean {
  try { return new RegExp(`^${route.path}`, 'i').test(path); } catch { return false; }
}

/**
 * Which route answers `host` + `path`, as nginx chooses a location: an Exact path equal to the request
 * path; else, on hosts with regular-expression paths, the first regex that matches (longest first, as
 * ingress-nginx orders them); else the longest Prefix whose elements start the request path; else the
 * Ingress's defaultBackend; else 404.
 */
export function matchIngressRoute(table: RouteTable, host: string, path: string): IngressMatch {
  const server = selectServer(table, host);
  const p = pathOf(path);
  const exact = server.routes.find((r) => r.match === 'Exact' && r.path === p);
  if (exact) return { kind: 'route', server, route: exact, fallback: false };
  const regex = server.routes.find((r) => r.match === 'Regex' && regexMatches(r, p));
  if (regex) return { kind: 'route', server, route: regex, fallback: false };
  let best: Route | undefined;
  for (const r of server.routes) {
    if (r.match !== 'Prefix' || !prefixMatches(r.path, p)) continue;
    if (!best || normalizePrefix(r.path).length > normalizePrefix(best.path).length) best = r;
  }
  if (best) return { kind: 'route', server, route: best, fallback: false };
  if (server.fallback) return { kind: 'route', server, route: server.fallback, fallback: true };
  return { kind: 'notFound', server };
}
