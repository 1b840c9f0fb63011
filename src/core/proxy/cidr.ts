// IPv4 address and CIDR arithmetic the proxy planner and tracer need (the proxy is IPv4-only, one
// table per family like kube-proxy; an ip6 table would be a second planner run).

export function parseIPv4(ip: string): number {
  // Hand-rolled: the planner parses every endpoint address, so this runs hundreds of thousands of times.
  let n = 0, octet = 0, digits = 0, dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return bad(ip);
    } else if (c === 46 && digits > 0 && dots < 3) {
      n = n * 256 + octet;
      octet = 0; digits = 0; dots++;
    } else {
      return bad(ip);
    }
  }
  if (dots !== 3 || digits === 0) return bad(ip);
  return n * 256 + octet;
}

function bad(ip: string): never {
  throw new Error(`"${ip}" is not an IPv4 address (expected a.b.c.d)`);
}

/** Whether text is a dotted-quad IPv4 address. */
export function isIPv4(text: string): boolean {
  try {
    parseIPv4(text);
    return true;
  } catch {
    return false;
  }
}

export function compareIPv4(a: string, b: string): number {
  return parseIPv4(a) - parseIPv4(b);
}

/** Whether `ip` lies in `cidr` (`a.b.c.d/len`, or a bare address meaning /32). */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, lenText] = cidr.split('/');
  const len = lenText === undefined ? 32 : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > 32) throw new Error(`"${cidr}" is not an IPv4 CIDR (bad prefix length)`);
  if (len === 0) return true;
  const mask = (0xffffffff << (32 - len)) >>> 0;
  return ((parseIPv4(base) & mask) >>> 0) === ((parseIPv4(ip) & mask) >>> 0);
}

/** Validates a CIDR for use in a rule, so that nft never sees a malformed one. */
export function checkCIDR(cidr: string, what: string): string {
  try {
    cidrContains(cidr, '0.0.0.0');
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
  return cidr;
}
