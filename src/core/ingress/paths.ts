// Host and path matching exactly as networking.k8s.io/v1 defines it (concept page "Path types",
// "Hostname wildcards"): the model that match.ts runs and that nginx-conf.ts turns into locations.

/** Prefix paths compare element by element: `/foo/` and `/foo` are the same prefix. */
export function prefixElements(path: string): string[] {
  return path.split('/').filter((e) => e !== '');
}

/** Prefix `p` matches request path `r` iff p's elements are the first elements of r's. */
export function prefixMatches(prefix: string, requestPath: string): boolean {
  const p = prefixElements(prefix), r = prefixElements(requestPath);
  if (p.length > r.length) return false;
  for (let i = 0; i < p.length; i++) if (p[i] !== r[i]) return false;
  return true;
}

/** The canonical form of a Prefix path: no trailing slash except for `/` itself. */
export function normalizePrefix(path: string): string {
  const els = prefixElements(path);
  return els.length ? `/${els.join('/')}` : '/';
}

/** A request's Host header as matched: lower case, without `:port`, without a trailing dot. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h; // an IPv6 literal matches no rule host (rule hosts are DNS names)
  const colon = h.lastIndexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** `*.foo.com` matches `bar.foo.com` only: the wildcard is exactly one label. */
export function wildcardMatches(wildcard: string, host: string): boolean {
  const suffix = wildcard.slice(1); // ".foo.com"
  if (!host.endsWith(suffix)) return false;
  const label = host.slice(0, host.length - suffix.length);
  return label.length > 0 && !label.includes('.');
}
