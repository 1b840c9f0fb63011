// The route table as nginx.conf text. Only values that passed a check reach the file (hosts and paths
// validated by the API server, annotations by annotations.ts), and every string is quoted with nginx's
// escapes. Locations implement the Kubernetes path rules (see match.ts, the model of the same choice):
//   Exact /p          location = "/p"
//   Prefix /p         location = "/p" and location ^~ "/p/"  (element-wise: /p, /p/..., not /pq)
//   Prefix /          location /
//   Regex (use-regex, rewrite-target)   location ~* "^<path>"   (first match, longest first)
// On a host with regex paths, Prefix paths become `~ "^/p(/|$)"` after them so that, as in ingress-nginx,
// a regex is tried before any Prefix and Exact paths still win first ("=" is checked before regexes).
import { createHash } from 'node:crypto';
import { normalizePrefix } from './paths.js';
import type { Route, RouteTable, Server } from './types.js';

export interface NginxLayout {
  /** Directory for pid, temp files; nginx runs with -p <dir>. */
  dir: string;
  /** PEM (certificate + key) served to names no server claims. */
  defaultCertificate: string;
  /** Path of the PEM file of a Secret `namespace/name` (certificate + key). */
  certificateFile(secret: string): string;
  httpPort?: number;
  httpsPort?: number;
  /** Access log target; default `off`. */
  accessLog?: string;
  workerProcesses?: number | 'auto';
}

/** A string as an nginx quoted token: backslash and double quote escaped (nginx turns \t \r \n into controls). */
export function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Regex metacharacters escaped, for building a regex from a literal path or host. */
function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, (c) => (c === '/' ? '/' : `\\${c}`));
}

/** Text safe inside an nginx `return` body (which expands $variables): a conservative character set. */
function bodyText(s: string): string {
  return s.replace(/"/g, "'").replace(/[^A-Za-z0-9 ._/(),:;'=-]/g, ' ');
}

function serverName(host: string): string {
  if (host === '') return '_';
  if (host.startsWith('*.')) return quote(`~^[^.]+${escapeRegex(host.slice(1))}$`);
  return host;
}

function locationBody(r: Route, ind: string): string[] {
  const out: string[] = [];
  if (r.allowSources) {
    for (const s of r.allowSources) out.push(`${ind}allow ${s};`);
    out.push(`${ind}deny all;`);
  }
  out.push(`${ind}client_max_body_size ${r.bodySize};`);
  if (r.sslRedirect) out.push(`${ind}if ($scheme = http) { return 308 https://$host$request_uri; }`);
  const b = r.backend;
  if (b.kind === 'status') {
    out.push(`${ind}return ${b.status} ${quote(bodyText(`${b.status}: ${b.reason}`) + '\n')};`);
    return out;
  }
  if (r.rewriteTarget !== undefined) {
    const pattern = r.match === 'Regex' ? `(?i)^${r.path}` : `^${escapeRegex(r.path)}`;
    out.push(`${ind}rewrite ${quote(pattern)} ${quote(r.rewriteTarget)} break;`);
  }
  switch (r.protocol) {
    case 'GRPC': out.push(`${ind}grpc_pass grpc://${b.upstream};`); break;
    case 'GRPCS': out.push(`${ind}grpc_pass grpcs://${b.upstream};`); break;
    case 'HTTPS': out.push(`${ind}proxy_pass https://${b.upstream};`); break;
    default: out.push(`${ind}proxy_pass http://${b.upstream};`);
  }
  return out;
}

function location(modifier: string, path: string, r: Route, note: string): string[] {
  const head = modifier ? `location ${modifier} ${quote(path)}` : `location ${quote(path)}`;
  return [`    # ${note}`, `    ${head} {`, ...locationBody(r, '      '), '    }'];
}

function serverLocations(srv: Server): string[] {
  const out: string[] = [];
  const hasRegex = srv.routes.some((r) => r.match === 'Regex');
  const exactPaths = new Set(srv.routes.filter((r) => r.match === 'Exact').map((r) => r.path));
  let hasRoot = false;
  const note = (r: Route) => `${r.match} ${r.path} (Ingress ${r.ingress})`;
  for (const r of srv.routes) {
    if (r.match === 'Exact') out.push(...location('=', r.path, r, note(r)));
    else if (r.match === 'Regex') out.push(...location('~*', `^${r.path}`, r, note(r)));
  }
  for (const r of srv.routes) {
    if (r.match !== 'Prefix') continue;
    const p = normalizePrefix(r.path);
    if (p === '/') { hasRoot = true; out.push(...location('', '/', r, note(r))); continue; }
    if (hasRegex) { out.push(...location('~', `^${escapeRegex(p)}(/|$)`, r, note(r))); continue; }
    if (!exactPaths.has(p)) out.push(...location('=', p, r, note(r)));
    out.push(...location('^~', `${p}/`, r, note(r)));
  }
  if (!hasRoot) {
    if (srv.fallback) out.push(...location('', '/', srv.fallback, `defaultBackend (Ingress ${srv.fallback.ingress})`));
    else out.push('    location / {', '      return 404;', '    }');
  }
  return out;
}

function serverBlock(srv: Server, layout: NginxLayout): string[] {
  const http = layout.httpPort ?? 80, https = layout.httpsPort ?? 443;
  const def = srv.host === '' ? ' default_server' : '';
  const cert = srv.tls?.secret ? layout.certificateFile(srv.tls.secret) : layout.defaultCertificate;
  return [
    `  server {`,
    `    server_name ${serverName(srv.host)};`,
    // No reuseport: with one listening socket shared by all workers, a reload hands it to the new
    // workers and no connection waiting in the accept queue is lost.
    `    listen ${http}${def};`,
    `    listen ${https} ssl http2${def};`,
    `    ssl_certificate ${quote(cert)};`,
    `    ssl_certificate_key ${quote(cert)};`,
    ...serverLocations(srv),
    `  }`,
  ];
}

function upstreams(table: RouteTable): string[] {
  const seen = new Map<string, string[]>();
  for (const srv of table.servers) {
    for (const r of [...srv.routes, ...(srv.fallback ? [srv.fallback] : [])]) {
      if (r.backend.kind !== 'service' || seen.has(r.backend.upstream)) continue;
      seen.set(r.backend.upstream, r.backend.endpoints.map((e) => `${e.ip}:${e.port}`));
    }
  }
  const out: string[] = [];
  for (const [name, eps] of [...seen].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.push(`  upstream ${name} {`, ...eps.map((e) => `    server ${e} max_fails=0;`), '    keepalive 320;', '    keepalive_requests 10000;', '  }');
  }
  return out;
}

/** nginx.conf for a route table. */
export function renderNginxConf(table: RouteTable, layout: NginxLayout): string {
  const d = layout.dir;
  return [
    '# Generated by podnet\'s ingress-nginx controller from Ingresses, Services, EndpointSlices and Secrets.',
    'daemon off;',
    `worker_processes ${layout.workerProcesses ?? 'auto'};`,
    `pid ${quote(`${d}/nginx.pid`)};`,
    'error_log stderr notice;',
    // On reload, old workers finish their requests; connections idle longer than this are closed.
    'worker_shutdown_timeout 240s;',
    'events {',
    '  worker_connections 16384;',
    '  multi_accept on;',
    '}',
    'http {',
    `  client_body_temp_path ${quote(`${d}/client-body`)};`,
    `  proxy_temp_path ${quote(`${d}/proxy`)};`,
    `  fastcgi_temp_path ${quote(`${d}/fastcgi`)};`,
    `  uwsgi_temp_path ${quote(`${d}/uwsgi`)};`,
    `  scgi_temp_path ${quote(`${d}/scgi`)};`,
    `  access_log ${layout.accessLog ?? 'off'};`,
    '  default_type text/plain;',
    '  sendfile on;',
    '  tcp_nodelay on;',
    '  keepalive_timeout 75s;',
    '  keepalive_requests 10000;',
    '  server_tokens on;',
    '  server_names_hash_max_size 8192;',
    '  server_names_hash_bucket_size 128;',
    '  ssl_protocols TLSv1.2 TLSv1.3;',
    '  ssl_session_cache shared:SSL:10m;',
    '  proxy_http_version 1.1;',
    '  proxy_connect_timeout 5s;',
    '  proxy_send_timeout 60s;',
    '  proxy_read_timeout 60s;',
    '  proxy_next_upstream error timeout;',
    // What ingress-nginx sends upstream: the original Host (with port) and the X-Forwarded-* headers.
    '  map $http_host $best_http_host { default $http_host; "" $host; }',
    '  map $http_upgrade $connection_upgrade { default upgrade; "" ""; }',
    '  proxy_set_header Host $best_http_host;',
    '  proxy_set_header Upgrade $http_upgrade;',
    '  proxy_set_header Connection $connection_upgrade;',
    '  proxy_set_header X-Request-ID $request_id;',
    '  proxy_set_header X-Real-IP $remote_addr;',
    '  proxy_set_header X-Forwarded-For $remote_addr;',
    '  proxy_set_header X-Forwarded-Host $best_http_host;',
    '  proxy_set_header X-Forwarded-Port $server_port;',
    '  proxy_set_header X-Forwarded-Proto $scheme;',
    '  proxy_set_header X-Forwarded-Scheme $scheme;',
    '  proxy_set_header X-Scheme $scheme;',
    ...upstreams(table),
    ...table.servers.flatMap((s) => serverBlock(s, layout)),
    '}',
    '',
  ].join('\n');
}

/** A stable file name for a Secret's PEM: changes when the certificate does, so a refused config never loses the old files. */
export function certificateFileName(secret: string, crt: string, key: string): string {
  const h = createHash('sha256').update(crt).update('\0').update(key).digest('hex').slice(0, 12);
  return `${secret.replace('/', '_')}-${h}.pem`;
}
