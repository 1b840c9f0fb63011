// IPv4 address and CIDR arithmetic the proxy planner and tracer need (the proxy is IPv4-only, one
// table per family like kube-proxy; an ip6 table would be a second planner run).

export function parseIPv4(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`"${ip}" is not an IPv4 address (expected a.b.c.d)`);
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) throw new Error(`"${ip}" is not an IPv4 address (octet "${p}")`);
    n = n * 256 + v;
  }
  return n;
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
