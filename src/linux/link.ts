// Network links (`ip link`): bridges, veth pairs, vxlan devices, and their state. Each function runs in
// the root namespace or, given `netns`, in that named namespace (`ip -n NS link ...`).
import { createHash } from 'node:crypto';
import { run, runJson, CommandError } from './exec.js';
import { ipIn, validateNetnsName } from './netns.js';

/**
 * The kernel's limit on interface names: IFNAMSIZ is 16 bytes including the terminating NUL, so a name
 * has at most 15 characters. `ip link add` with a longer name fails with a cryptic "name too long".
 */
export const MAX_IFNAME_LENGTH = 15;

// The kernel also refuses '/', ':', whitespace and the names '.' and '..'; we keep to a safe subset.
const IFNAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Throws with an explanation unless `name` is a valid interface name (1-15 of letters, digits, `-_.`). */
export function validateIfName(name: string): void {
  if (name.length > MAX_IFNAME_LENGTH) {
    throw new Error(
      `interface name ${JSON.stringify(name)} is ${name.length} characters long; Linux allows at most ${MAX_IFNAME_LENGTH} ` +
      `(IFNAMSIZ is 16 bytes with the trailing NUL): choose a shorter name, or derive one with hashedIfName()`,
    );
  }
  if (!IFNAME.test(name)) {
    throw new Error(
      `invalid interface name ${JSON.stringify(name)}: use letters, digits, '-', '_' or '.', starting with a letter or digit`,
    );
  }
}

/**
 * A stable interface name of exactly 15 characters: `prefix` followed by hex digits of SHA-256(key), the
 * way the reference CNI plugins and Calico name host-side veths, so that the same key always gives the
 * same name and different keys practically never collide.
 */
export function hashedIfName(prefix: string, key: string): string {
  if (prefix.length > MAX_IFNAME_LENGTH - 6) {
    throw new Error(`hashedIfName prefix ${JSON.stringify(prefix)} is too long: keep at most ${MAX_IFNAME_LENGTH - 6} characters so 6+ hex digits remain`);
  }
  const name = prefix + createHash('sha256').update(key).digest('hex').slice(0, MAX_IFNAME_LENGTH - prefix.length);
  validateIfName(name);
  return name;
}

/** Where a link lives: the root namespace when `netns` is undefined. */
export interface InNetns { netns?: string }

/** One entry of `ip -j -d link show`, the fields podnet reads (iproute2 adds many more). */
export interface LinkInfo {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate: string;
  /** Bridge this link is enslaved to. */
  master?: string;
  address?: string;
  /** For a veth: the peer's name (when the peer is in the same namespace) or "if<N>". */
  link?: string;
  /** For a veth whose peer is in another namespace: that namespace's id as seen from here. */
  link_netnsid?: number;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown>; info_slave_kind?: string };
}

function ip(where: InNetns, ...args: string[]): string[] {
  return [...ipIn(where.netns), ...args];
}

/** Creates a bridge (`ip link add NAME type bridge`), down until setLinkUp. */
export async function addBridge(name: string, opts: InNetns & { mtu?: number } = {}): Promise<void> {
  validateIfName(name);
  const mtu = opts.mtu ? ['mtu', String(opts.mtu)] : [];
  await run(ip(opts, 'link', 'add', name, ...mtu, 'type', 'bridge'));
}

export interface VethOptions extends InNetns {
  /** Namespace to create the peer in (the CNI way: host end here, `eth0` in the pod's namespace). */
  peerNetns?: string;
  mtu?: number;
}

/**
 * Creates a veth pair `name` <-> `peer` in one command, the peer directly in `peerNetns` when given, so
 * that no half-made pair with a clashing name ever sits in the root namespace.
 */
export async function addVeth(name: string, peer: string, opts: VethOptions = {}): Promise<void> {
  validateIfName(name);
  validateIfName(peer);
  const mtu = opts.mtu ? ['mtu', String(opts.mtu)] : [];
  const peerNs = opts.peerNetns ? (validateNetnsName(opts.peerNetns), ['netns', opts.peerNetns]) : [];
  await run(ip(opts, 'link', 'add', name, ...mtu, 'type', 'veth', 'peer', 'name', peer, ...mtu, ...peerNs));
}

export interface VxlanOptions extends InNetns {
  /** VXLAN network identifier (VNI), 0-16777215; flannel uses 1. */
  id: number;
  /** Source address of the encapsulated packets (the node's underlay IP). */
  local?: string;
  /** Underlay device the tunnel uses (e.g. `eth0`). */
  dev?: string;
  /** UDP destination port; the IANA port 4789 as flannel does, since the kernel default is 8472. */
  dstport?: number;
  /** false gives `nolearning`: the FDB is programmed by the agent, as flannel does, not learned. */
  learning?: boolean;
  mtu?: number;
}

/** Creates a VXLAN device (`ip link add NAME type vxlan id ... dstport ... [nolearning]`). */
export async function addVxlan(name: string, opts: VxlanOptions): Promise<void> {
  validateIfName(name);
  if (!Number.isInteger(opts.id) || opts.id < 0 || opts.id > 0xffffff) {
    throw new Error(`invalid VXLAN id ${opts.id}: a VNI is an integer from 0 to 16777215`);
  }
  const argv = ip(opts, 'link', 'add', name);
  if (opts.mtu) argv.push('mtu', String(opts.mtu));
  argv.push('type', 'vxlan', 'id', String(opts.id));
  if (opts.local) argv.push('local', opts.local);
  if (opts.dev) { validateIfName(opts.dev); argv.push('dev', opts.dev); }
  argv.push('dstport', String(opts.dstport ?? 4789));
  if (opts.learning === false) argv.push('nolearning');
  await run(argv);
}

/** Brings a link up (`ip link set NAME up`). */
export async function setLinkUp(name: string, opts: InNetns = {}): Promise<void> {
  validateIfName(name);
  await run(ip(opts, 'link', 'set', 'dev', name, 'up'));
}

/** Takes a link down. */
export async function setLinkDown(name: string, opts: InNetns = {}): Promise<void> {
  validateIfName(name);
  await run(ip(opts, 'link', 'set', 'dev', name, 'down'));
}

/** Enslaves a link to a bridge (`master BRIDGE`), or releases it when `master` is null (`nomaster`). */
export async function setLinkMaster(name: string, master: string | null, opts: InNetns = {}): Promise<void> {
  validateIfName(name);
  if (master === null) return void (await run(ip(opts, 'link', 'set', 'dev', name, 'nomaster')));
  validateIfName(master);
  await run(ip(opts, 'link', 'set', 'dev', name, 'master', master));
}

/** Sets a link's MTU. */
export async function setLinkMtu(name: string, mtu: number, opts: InNetns = {}): Promise<void> {
  validateIfName(name);
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new Error(`invalid MTU ${mtu}: use 68-65535`);
  await run(ip(opts, 'link', 'set', 'dev', name, 'mtu', String(mtu)));
}

/** Sets a link's MAC address (`aa:bb:cc:dd:ee:ff`). */
export async function setLinkAddress(name: string, mac: string, opts: InNetns = {}): Promise<void> {
  validateIfName(name);
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(mac)) throw new Error(`invalid MAC address ${JSON.stringify(mac)}: use six hex pairs like 0a:58:0a:f4:01:01`);
  await run(ip(opts, 'link', 'set', 'dev', name, 'address', mac));
}

/** Moves a link into another namespace (`ip link set NAME netns TARGET`), optionally renaming it there. */
export async function setLinkNetns(name: string, target: string, opts: InNetns & { newName?: string } = {}): Promise<void> {
  validateIfName(name);
  validateNetnsName(target);
  const rename = opts.newName ? (validateIfName(opts.newName), ['name', opts.newName]) : [];
  await run(ip(opts, 'link', 'set', 'dev', name, 'netns', target, ...rename));
}

/** All links in a namespace with details (`ip -j -d link show`), optionally only those of one kind. */
export async function listLinks(opts: InNetns & { type?: string } = {}): Promise<LinkInfo[]> {
  const type = opts.type ? ['type', opts.type] : [];
  return runJson<LinkInfo[]>([...ipIn(opts.netns), '-j', '-d', 'link', 'show', ...type]);
}

/** One link with details, or undefined when there is no link of that name. */
export async function getLink(name: string, opts: InNetns = {}): Promise<LinkInfo | undefined> {
  validateIfName(name);
  try {
    const [link] = await runJson<LinkInfo[]>([...ipIn(opts.netns), '-j', '-d', 'link', 'show', 'dev', name]);
    return link;
  } catch (e) {
    if (e instanceof CommandError && /does not exist/.test(e.stderr)) return undefined;
    throw e;
  }
}

/**
 * Deletes a link. Deleting one end of a veth deletes both. Returns false (and does nothing) when there
 * was no such link, so teardown can be repeated.
 */
export async function deleteLink(name: string, opts: InNetns = {}): Promise<boolean> {
  validateIfName(name);
  try {
    await run(ip(opts, 'link', 'delete', 'dev', name));
    return true;
  } catch (e) {
    if (e instanceof CommandError && /(does not exist|Cannot find device)/.test(e.stderr)) return false;
    throw e;
  }
}
