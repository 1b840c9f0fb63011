// The ingress-nginx annotations podnet honours (prefix nginx.ingress.kubernetes.io/), parsed and checked
// before anything reaches nginx: a value is never pasted into nginx.conf unless it passed a strict check
// (CVE-2025-1097/1098 were annotation strings rendered into nginx config). A bad value makes its whole
// Ingress answer 503 with a Warning event (failing closed: a mistyped whitelist must not open a path),
// and leaves every other Ingress untouched.
import { isCIDR, isIP } from '../net/index.js';
import type { BackendProtocol } from './types.js';

export const ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io/';

export interface IngressAnnotations {
  rewriteTarget?: string;
  useRegex: boolean;
  /** Undefined: the default (redirect when the Ingress has TLS for the host). */
  sslRedirect?: boolean;
  forceSslRedirect: boolean;
  protocol: BackendProtocol;
  bodySize: string;
  allowSources?: string[];
}

export class AnnotationError extends Error {}

const DEFAULT_BODY_SIZE = '1m';
const PROTOCOLS: Record<string, BackendProtocol> = { HTTP: 'HTTP', AUTO_HTTP: 'HTTP', HTTPS: 'HTTPS', GRPC: 'GRPC', GRPCS: 'GRPCS' };

function bool(name: string, v: string): boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new AnnotationError(`${ANNOTATION_PREFIX}${name}: "${v}" is not a boolean; use "true" or "false"`);
}

/** The replacement of `rewrite`: a URI path with `$N` capture references and nothing nginx would expand. */
function rewriteTarget(v: string): string {
  if (!/^\/?[A-Za-z0-9/_.~%!*'()+,;=:@&?-]*(?:\$[0-9][A-Za-z0-9/_.~%!*'()+,;=:@&?-]*)*$/.test(v)) {
    throw new AnnotationError(`${ANNOTATION_PREFIX}rewrite-target: "${v}" is not a URI path with optional $1..$9 capture references (letters, digits, / _ . ~ % - and $N only)`);
  }
  return v;
}

function bodySize(v: string): string {
  if (!/^[0-9]+[kKmMgG]?$/.test(v)) throw new AnnotationError(`${ANNOTATION_PREFIX}proxy-body-size: "${v}" is not a size; use a number with an optional k, m or g suffix (e.g. 8m), or 0 for no limit`);
  return v;
}

function sources(v: string): string[] {
  const out = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (out.length === 0) throw new AnnotationError(`${ANNOTATION_PREFIX}whitelist-source-range: empty; give comma-separated CIDRs such as 10.0.0.0/8,192.168.1.5/32`);
  for (const s of out) {
    if (!isCIDR(s) && !isIP(s)) throw new AnnotationError(`${ANNOTATION_PREFIX}whitelist-source-range: "${s}" is not an IP address or CIDR; give comma-separated CIDRs such as 10.0.0.0/8,192.168.1.5/32`);
  }
  return out;
}

/** The annotations of one Ingress; throws AnnotationError naming the first bad one. */
export function parseAnnotations(annotations: Record<string, string> | undefined): IngressAnnotations {
  const a = (name: string): string | undefined => annotations?.[ANNOTATION_PREFIX + name];
  const out: IngressAnnotations = { useRegex: false, forceSslRedirect: false, protocol: 'HTTP', bodySize: DEFAULT_BODY_SIZE };
  const rt = a('rewrite-target');
  if (rt !== undefined) out.rewriteTarget = rewriteTarget(rt);
  const re = a('use-regex');
  if (re !== undefined) out.useRegex = bool('use-regex', re);
  const sr = a('ssl-redirect');
  if (sr !== undefined) out.sslRedirect = bool('ssl-redirect', sr);
  const fsr = a('force-ssl-redirect');
  if (fsr !== undefined) out.forceSslRedirect = bool('force-ssl-redirect', fsr);
  const bp = a('backend-protocol');
  if (bp !== undefined) {
    const p = PROTOCOLS[bp.toUpperCase()];
    if (!p) throw new AnnotationError(`${ANNOTATION_PREFIX}backend-protocol: "${bp}" is not supported; use HTTP, HTTPS, GRPC or GRPCS`);
    out.protocol = p;
  }
  const bs = a('proxy-body-size');
  if (bs !== undefined) out.bodySize = bodySize(bs);
  const wl = a('whitelist-source-range') ?? a('allowlist-source-range');
  if (wl !== undefined) out.allowSources = sources(wl);
  return out;
}

/**
 * A path used as a regular expression (use-regex, rewrite-target): it must compile, and it must not
 * carry what would end nginx's quoted string. PCRE and JavaScript agree on the syntax ingress-nginx
 * users write (groups, classes, alternation, anchors); nginx -t is the final check.
 */
export function checkRegexPath(path: string): void {
  if (/["\n\r\0]/.test(path) || path.endsWith('\\')) throw new AnnotationError(`path "${path}" cannot be used as a regular expression: it contains a quote, a line break or a trailing backslash`);
  try { new RegExp(path); } catch (e) {
    throw new AnnotationError(`path "${path}" is not a valid regular expression (${(e as Error).message}); fix the path or remove ${ANNOTATION_PREFIX}use-regex`);
  }
}
