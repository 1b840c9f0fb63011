// The route table: what the Ingress planner computes from Ingresses, Services, EndpointSlices and Secrets,
// and what both the nginx renderer (nginx-conf.ts) and the model matcher (match.ts) read. It is the one
// description of "which request goes where", so `podnet trace` and nginx cannot disagree.
import type { KubeObject } from '../api/object.js';

/** The objects the planner reads; the controller has already kept only the Ingresses of its class. */
export interface IngressInputs {
  ingresses: KubeObject[];
  services: KubeObject[];
  endpointSlices: KubeObject[];
  secrets: KubeObject[];
}

export interface Endpoint { ip: string; port: number }

export type BackendProtocol = 'HTTP' | 'HTTPS' | 'GRPC' | 'GRPCS';

/** Where a matched request goes: a Service's ready endpoints, or an answer nginx gives itself. */
export type RouteBackend =
  | { kind: 'service'; namespace: string; service: string; port: string; upstream: string; endpoints: Endpoint[] }
  | { kind: 'status'; status: number; reason: string };

/** How a route's path is compared (ImplementationSpecific is Prefix unless the Ingress asks for regex). */
export type MatchKind = 'Exact' | 'Prefix' | 'Regex';

export interface Route {
  match: MatchKind;
  /** As written in the Ingress (Prefix `/foo/` stays `/foo/`; matching ignores the trailing slash). */
  path: string;
  /** The Ingress that contributed it: `namespace/name`. */
  ingress: string;
  backend: RouteBackend;
  /** The request URI is rewritten with this replacement (`$1`, `$2` from the path's capture groups). */
  rewriteTarget?: string;
  /** HTTP requests get a 308 to https:// (the host has TLS from this route's Ingress and ssl-redirect is on). */
  sslRedirect: boolean;
  protocol: BackendProtocol;
  /** nginx client_max_body_size (`1m` by default, `0` = unlimited). */
  bodySize: string;
  /** Source CIDRs allowed; other clients get 403. Undefined = everyone. */
  allowSources?: string[];
}

export interface ServerTls {
  /** `namespace/name` of the kubernetes.io/tls Secret, or undefined for the default certificate. */
  secret?: string;
  ingress: string;
}

/** One virtual server: an exact host, a one-label wildcard `*.foo.com`, or '' (every other host). */
export interface Server {
  host: string;
  routes: Route[];
  /** The route for requests no path matches (an Ingress's spec.defaultBackend); else 404. */
  fallback?: Route;
  tls?: ServerTls;
}

export interface Certificate { crt: string; key: string }

/** Something wrong with one Ingress, told as an Event on it. */
export interface IngressProblem {
  namespace: string;
  name: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface RouteTable {
  /** The catch-all server first, then hosts in name order. */
  servers: Server[];
  /** PEM by Secret `namespace/name`, for every Secret a server uses. */
  certificates: Map<string, Certificate>;
  problems: IngressProblem[];
}
