// The string formats of apimachinery's pkg/util/validation (Kubernetes 1.32): each check returns the
// list of detail messages upstream returns, so callers can wrap them in field errors exactly as
// kube-apiserver does. Regexes and message texts are upstream's; the code is written for podnet.
import { type IP, type IPFamily, isIP, isIPPrefix, networkOf, parseIP, parseIPPrefix } from '../../net/index.js';

export const maxLenError = (length: number): string => `must be no more than ${length} characters`;
export const emptyError = (): string => 'must be non-empty';
export const inclusiveRangeError = (lo: number, hi: number): string => `must be between ${lo} and ${hi}, inclusive`;

/** `msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')`, with upstream's odd double space. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let s = `${msg} (e.g. `;
  examples.forEach((e, i) => { if (i > 0) s += ' or '; s += `'${e}', `; });
  return `${s}regex used for validation is '${fmt}')`;
}

const anchored = (fmt: string) => new RegExp(`^(?:${fmt})$`);

const qnameCharFmt = '[A-Za-z0-9]';
const qnameExtCharFmt = '[-A-Za-z0-9_.]';
const qualifiedNameFmt = `(${qnameCharFmt}${qnameExtCharFmt}*)?${qnameCharFmt}`;
const qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedNameRe = anchored(qualifiedNameFmt);

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123LabelErrMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const dns1123LabelRe = anchored(dns1123LabelFmt);
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const dns1123SubdomainRe = anchored(dns1123SubdomainFmt);
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1035LabelErrMsg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const dns1035LabelRe = anchored(dns1035LabelFmt);
const wildcardFmt = `\\*\\.${dns1123SubdomainFmt}`;
const wildcardErrMsg = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";
const wildcardRe = anchored(wildcardFmt);

export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;

/** Go's len() counts bytes, not UTF-16 units. */
export const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push(`prefix part ${emptyError()}`);
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [`a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push(`name part ${emptyError()}`);
  else if (byteLength(name) > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qualifiedNameRe.test(name)) errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelValueRe = anchored(labelValueFmt);

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!labelValueRe.test(value)) errs.push(regexError(labelValueErrMsg, labelValueFmt, 'MyValue', 'my_value', '12345'));
  return errs;
}

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX) errs.push(maxLenError(DNS1123_LABEL_MAX));
  if (!dns1123LabelRe.test(value)) {
    // A valid subdomain that is not a valid label can only be wrong because of its dots.
    if (dns1123SubdomainRe.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(dns1123LabelErrMsg, dns1123LabelFmt, 'my-name', '123-abc'));
  }
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!dns1123SubdomainRe.test(value)) errs.push(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, 'example.com'));
  return errs;
}

export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!dns1035LabelRe.test(value)) errs.push(regexError(dns1035LabelErrMsg, dns1035LabelFmt, 'my-name', 'abc-123'));
  return errs;
}

export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!wildcardRe.test(value)) errs.push(regexError(wildcardErrMsg, wildcardFmt, '*.example.com'));
  return errs;
}

/** Non-empty, at most 15 characters of [-a-z0-9] with a letter, no leading/trailing/double hyphen (IANA_SVC_NAME). */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (byteLength(port) > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

export function isValidPortNum(port: number): string[] {
  return port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

export function isInRange(value: number, lo: number, hi: number): string[] {
  return value >= lo && value <= hi ? [] : [inclusiveRangeError(lo, hi)];
}

const percentFmt = '[0-9]+%';
export function isValidPercent(value: string): string[] {
  return anchored(percentFmt).test(value) ? [] : [regexError("a valid percent string must be a numeric string followed by an ending '%'", percentFmt, '1%', '93%')];
}

const httpHeaderNameFmt = '[-A-Za-z0-9]+';
export function isHTTPHeaderName(value: string): string[] {
  return anchored(httpHeaderNameFmt).test(value) ? [] : [regexError("a valid HTTP header must consist of alphanumeric characters or '-'", httpHeaderNameFmt, 'X-Header-Name')];
}

function hasChDirPrefix(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

const configMapKeyFmt = '[-._a-zA-Z0-9]+';
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!anchored(configMapKeyFmt).test(value)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", configMapKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  }
  errs.push(...hasChDirPrefix(value));
  return errs;
}

/**
 * Environment variable names as 1.32 accepts them: RelaxedEnvironmentVariableValidation is beta and on,
 * so any printable ASCII but '=' is allowed.
 */
export function isRelaxedEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (value.length === 0) errs.push(`environment variable name ${emptyError()}`);
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (c > 0x7e || c < 0x20 || ch === '=') {
      errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
      break;
    }
  }
  return errs;
}

const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
/** `acme.io/foo`: a DNS subdomain, a slash, then an HTTP path (IngressClass controller names). Returns [value, detail] pairs. */
export function isDomainPrefixedPath(value: string): Array<[string, string]> {
  const segments = value.split('/');
  const host = segments[0];
  const path = segments.slice(1).join('/');
  if (segments.length < 2 || host.length === 0 || path.length === 0) {
    return [[value, 'must be a domain-prefixed path (such as "acme.io/foo")']];
  }
  const out: Array<[string, string]> = isDNS1123Subdomain(host).map((m) => [host, m]);
  if (!anchored(httpPathFmt).test(path)) out.push([path, regexError('Invalid path', httpPathFmt)]);
  return out;
}

/** Path segment names (resource names used in URLs): no '.', '..', '/' or '%'. */
export function isValidPathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const illegal of ['/', '%']) if (name.includes(illegal)) errs.push(`may not contain '${illegal}'`);
  return errs;
}

// ---- IP addresses and CIDRs: kube-apiserver's IsValidIPForLegacyField / IsValidCIDRForLegacyField with
// StrictIPCIDRValidation on. Parsing is core/net's (Go's netip rules); what Go's older "sloppy" parser
// would still have read (octets with leading zeros) gets upstream's more helpful message.

export const IP_ERROR = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
export const CIDR_ERROR = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

/** The text with leading zeros dropped from IPv4 octets and the prefix length, as ParseIPSloppy reads it. */
function unzeroed(s: string): string {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const colon = addr.lastIndexOf(':');
  const v4 = addr.slice(colon + 1).replace(/(^|\.)0+(?=\d)/g, '$1');
  const len = slash < 0 ? '' : `/${s.slice(slash + 1).replace(/^0+(?=\d)/, '')}`;
  return `${addr.slice(0, colon + 1)}${v4}${len}`;
}

const isV4Mapped = (ip: IP): boolean => ip.family === 6 && ip.value >> 32n === 0xffffn;

/** Upstream's detail messages for an IP address field; [] when it is valid. */
export function ipErrors(value: string): string[] {
  if (isIP(value)) return isV4Mapped(parseIP(value)) ? ['must not be an IPv4-mapped IPv6 address'] : [];
  const sloppy = unzeroed(value);
  // Upstream reports only this one then: netip.ParseAddr failed, so it has no address to call IPv4-mapped.
  if (sloppy !== value && isIP(sloppy)) return ['must not have leading 0s'];
  return [IP_ERROR];
}

/** Upstream's detail message for a CIDR field (a network: host bits must be clear); [] when it is valid. */
export function cidrErrors(value: string): string[] {
  if (!isIPPrefix(value)) {
    const sloppy = unzeroed(value);
    return [sloppy !== value && isIPPrefix(sloppy) ? 'must not have leading 0s in IP or prefix length' : CIDR_ERROR];
  }
  const p = parseIPPrefix(value);
  if (isV4Mapped(p.ip)) return ['must not have an IPv4-mapped IPv6 address'];
  if (networkOf(p).ip.value !== p.ip.value) return ['must not have bits set beyond the prefix length'];
  return [];
}

/** Whether Go's sloppy parser reads the value as an IP (a host that must not look like one). */
export function looksLikeIP(value: string): boolean {
  return ipErrors(value)[0] !== IP_ERROR;
}

/** The family of a valid address, undefined otherwise. */
export function ipFamily(value: string): IPFamily | undefined {
  return isIP(value) ? parseIP(value).family : undefined;
}
