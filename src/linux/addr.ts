// Interface addresses (`ip addr`): the underlay address of the bridge, a node's eth0, a pod's eth0, cni0.
import { run, runJson, CommandError } from './exec.js';
import { ipIn } from './netns.js';
import { validateIfName, type InNetns } from './link.js';

/** One address of `ip -j addr show`, flattened with its interface name. */
export interface AddressInfo {
  ifname: string;
  family: 'inet' | 'inet6';
  /** The address itself, e.g. 10.244.1.1. */
  local: string;
  prefixlen: number;
  scope: string;
  /** The address label (`label eth0:lb`), when it has one other than the interface name. */
  label?: string;
}

export interface AddressOptions extends InNetns {
  /** An address label (`DEV:suffix`, at most 15 characters) marking who added the address. */
  label?: string;
  /** `noprefixroute`: no route for the prefix (a /32 announced for a LoadBalancer needs none). */
  noPrefixRoute?: boolean;
}

function labelArgs(dev: string, label: string | undefined): string[] {
  if (label === undefined) return [];
  if (!label.startsWith(dev) || label.length > 15 || !/^[a-zA-Z0-9_.:-]+$/.test(label)) {
    throw new Error(`invalid address label ${JSON.stringify(label)}: it must start with the interface name ${dev}, e.g. ${dev}:lb, and have at most 15 characters`);
  }
  return ['label', label];
}

// A CIDR with its host part ("10.244.1.1/24"), the form `ip addr` takes; checked here so a typo fails
// with our message rather than iproute2's "any valid prefix is expected".
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Throws unless `cidr` is an IPv4 address with a prefix length, like 172.31.250.1/24. */
export function validateAddressCidr(cidr: string): void {
  const m = IPV4_CIDR.exec(cidr);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new Error(`invalid interface address ${JSON.stringify(cidr)}: expected an IPv4 address with a prefix length, like 172.31.250.1/24`);
  }
}

/**
 * Assigns `cidr` (address/prefix) to `dev`. Uses `ip addr replace`, so assigning an address the link
 * already has succeeds: bring-up code can be re-run after a partial failure.
 */
export async function addAddress(dev: string, cidr: string, opts: AddressOptions = {}): Promise<void> {
  validateIfName(dev);
  validateAddressCidr(cidr);
  await run([...ipIn(opts.netns), 'addr', 'replace', cidr, 'dev', dev, ...labelArgs(dev, opts.label), ...(opts.noPrefixRoute ? ['noprefixroute'] : [])]);
}

/** Removes an address from `dev` (only with that label, when given); returns false when the link did not have it. */
export async function deleteAddress(dev: string, cidr: string, opts: Pick<AddressOptions, 'netns' | 'label'> = {}): Promise<boolean> {
  validateIfName(dev);
  validateAddressCidr(cidr);
  try {
    await run([...ipIn(opts.netns), 'addr', 'del', cidr, 'dev', dev, ...labelArgs(dev, opts.label)]);
    return true;
  } catch (e) {
    if (e instanceof CommandError && /(Address not found|Cannot assign requested address)/.test(e.stderr)) return false;
    throw e;
  }
}

/** Addresses in a namespace, of one link when `dev` is given (`ip -j addr show [dev DEV]`). */
export async function listAddresses(opts: InNetns & { dev?: string; family?: 'inet' | 'inet6' } = {}): Promise<AddressInfo[]> {
  const argv = [...ipIn(opts.netns), '-j'];
  if (opts.family) argv.push(opts.family === 'inet' ? '-4' : '-6');
  argv.push('addr', 'show');
  if (opts.dev) { validateIfName(opts.dev); argv.push('dev', opts.dev); }
  type Raw = { ifname: string; addr_info?: Array<{ family: 'inet' | 'inet6'; local: string; prefixlen: number; scope: string; label?: string }> };
  const links = await runJson<Raw[]>(argv);
  return links.flatMap((l) => (l.addr_info ?? [])
    .filter((a) => a.local !== undefined)
    .map((a) => ({ ifname: l.ifname, family: a.family, local: a.local, prefixlen: a.prefixlen, scope: a.scope, ...(a.label !== undefined && a.label !== l.ifname ? { label: a.label } : {}) })));
}

/** Removes every address of `dev` (`ip addr flush dev DEV`). */
export async function flushAddresses(dev: string, opts: InNetns = {}): Promise<void> {
  validateIfName(dev);
  await run([...ipIn(opts.netns), 'addr', 'flush', 'dev', dev]);
}
