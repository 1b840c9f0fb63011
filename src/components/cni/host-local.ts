// host-local IPAM with the reference plugin's on-disk format, so that either plugin can release
// the other's reservations: <dataDir>/<network>/<ip> holds "<containerID>\r\n<ifname>" (created
// with O_EXCL, which is what makes an address unique), last_reserved_ip.<rangeSetIndex> holds the
// last address handed out (round-robin), and an empty "lock" file.
//
// Locking: the reference takes flock(2) on "lock"; Node has no flock. Within one process (the
// agent serving many ADDs) allocations are serialised per directory; across processes the O_EXCL
// create still guarantees that no address is handed out twice, and last_reserved_ip is replaced
// atomically (rename), so a concurrent reference plugin at worst loses round-robin once.
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeSync, existsSync, writeFileSync, accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { CniError, ErrorCode } from '../../core/cni/errors.js';
import {
  type HostLocalConfig, type RangeSet, allocationOrder, loadHostLocalConfig, rangeFor, rangeSetString, rangeContains,
} from '../../core/cni/host-local-config.js';
import { type IP, formatIP, ipEqual, isIP, parseIP } from '../../core/net/index.js';
import type { DNS, IPConfig, Result } from '../../core/cni/result.js';
import { parseCniArgs, type CmdArgs } from '../../core/cni/request.js';

const LAST_RESERVED = 'last_reserved_ip.';
const LINE_BREAK = '\r\n';

/** Serialises work on one directory inside this process. */
const dirLocks = new Map<string, Promise<unknown>>();
async function withDirLock<T>(dir: string, fn: () => T | Promise<T>): Promise<T> {
  const prev = dirLocks.get(dir) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const settled = run.then(() => undefined, () => undefined);
  dirLocks.set(dir, settled);
  try {
    return await run;
  } finally {
    if (dirLocks.get(dir) === settled) dirLocks.delete(dir);
  }
}

export class HostLocalStore {
  readonly dir: string;

  constructor(dataDir: string, network: string) {
    this.dir = join(dataDir, network);
  }

  ensure(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    const lock = join(this.dir, 'lock');
    if (!existsSync(lock)) {
      try { closeSync(openSync(lock, 'a', 0o600)); } catch { /* a concurrent creator won */ }
    }
  }

  /** Creates the reservation file; false if the address is already taken. */
  reserve(id: string, ifname: string, ip: IP, rangeID: number): boolean {
    const file = join(this.dir, formatIP(ip));
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
    try {
      writeSync(fd, `${id.trim()}${LINE_BREAK}${ifname}`);
    } catch (e) {
      closeSync(fd);
      unlinkSync(file);
      throw e;
    }
    closeSync(fd);
    const last = join(this.dir, `${LAST_RESERVED}${rangeID}`);
    const tmp = `${last}.tmp-${process.pid}`;
    writeFileSync(tmp, formatIP(ip), { mode: 0o644 });
    renameSync(tmp, last);
    return true;
  }

  lastReserved(rangeID: number): IP | null {
    try {
      return parseIP(readFileSync(join(this.dir, `${LAST_RESERVED}${rangeID}`), 'utf8').trim());
    } catch {
      return null;
    }
  }

  /** Every reservation: address and trimmed file content. */
  entries(): { ip: IP; file: string; owner: string }[] {
    let names: string[];
    try { names = readdirSync(this.dir); } catch { return []; }
    const out: { ip: IP; file: string; owner: string }[] = [];
    for (const name of names) {
      if (!isIP(name)) continue; // lock, last_reserved_ip.N
      const ip = parseIP(name);
      const file = join(this.dir, name);
      try { out.push({ ip, file, owner: readFileSync(file, 'utf8').trim() }); } catch { /* removed meanwhile */ }
    }
    return out;
  }

  /** Addresses held by (id, ifname); files from before ifname was recorded match on the id alone. */
  getByID(id: string, ifname: string): IP[] {
    const full = `${id.trim()}${LINE_BREAK}${ifname}`;
    return this.entries().filter((e) => e.owner === full || e.owner === id.trim()).map((e) => e.ip);
  }

  releaseByID(id: string, ifname: string): IP[] {
    const full = `${id.trim()}${LINE_BREAK}${ifname}`;
    const entries = this.entries();
    let mine = entries.filter((e) => e.owner === full);
    if (mine.length === 0) mine = entries.filter((e) => e.owner === id.trim());
    for (const e of mine) { try { unlinkSync(e.file); } catch { /* already gone */ } }
    return mine.map((e) => e.ip);
  }
}

function allocateInSet(store: HostLocalStore, set: RangeSet, idx: number, id: string, ifname: string, requested?: IP): IPConfig {
  const str = rangeSetString(set);
  if (requested) {
    const r = rangeFor(set, requested);
    if (!r) throw new Error(`${formatIP(requested)} not in range set ${str}`);
    if (ipEqual(requested, r.gateway)) throw new Error(`requested ip ${formatIP(requested)} is subnet's gateway`);
    if (!store.reserve(id, ifname, requested, idx)) {
      throw new Error(`requested IP address ${formatIP(requested)} is not available in range set ${str}`);
    }
    return { address: `${formatIP(requested)}/${r.subnet.prefix}`, gateway: formatIP(r.gateway) };
  }
  for (const held of store.getByID(id, ifname)) {
    if (rangeFor(set, held)) throw new Error(`${formatIP(held)} has been allocated to ${id}, duplicate allocation is not allowed`);
  }
  for (const { ip, range } of allocationOrder(set, store.lastReserved(idx))) {
    if (store.reserve(id, ifname, ip, idx)) return { address: `${formatIP(ip)}/${range.subnet.prefix}`, gateway: formatIP(range.gateway) };
  }
  throw new Error(`no IP addresses available in range set: ${str}`);
}

/** resolv.conf into a CNI dns object (reference host-local parseResolvConf). */
export function parseResolvConf(text: string): DNS {
  const dns: DNS = {};
  for (const raw of text.split('\n')) {
    const f = raw.trim().split(/\s+/);
    if (!f[0] || f[0].startsWith('#') || f[0].startsWith(';')) continue;
    if (f[0] === 'nameserver' && f[1]) (dns.nameservers ??= []).push(f[1]);
    else if (f[0] === 'domain' && f[1]) dns.domain = f[1];
    else if (f[0] === 'search') dns.search = f.slice(1);
    else if (f[0] === 'options') (dns.options ??= []).push(...f.slice(1));
  }
  return dns;
}

function load(conf: Record<string, unknown>, args: CmdArgs): { cfg: HostLocalConfig; store: HostLocalStore } {
  const cfg = loadHostLocalConfig(conf, parseCniArgs(args.args));
  return { cfg, store: new HostLocalStore(cfg.dataDir, cfg.name) };
}

export async function hostLocalAdd(conf: Record<string, unknown>, args: CmdArgs): Promise<Result> {
  const { cfg, store } = load(conf, args);
  let dns: DNS = {};
  if (cfg.resolvConf) {
    try { dns = parseResolvConf(readFileSync(cfg.resolvConf, 'utf8')); } catch (e) {
      throw new CniError(ErrorCode.Internal, `open ${cfg.resolvConf}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
  }
  store.ensure();
  const ips = await withDirLock(store.dir, () => {
    const got: IPConfig[] = [];
    const requested = [...cfg.requestedIPs];
    cfg.ranges.forEach((set, idx) => {
      const i = requested.findIndex((ip) => set.some((r) => rangeContains(r, ip)));
      const req = i >= 0 ? requested.splice(i, 1)[0] : undefined;
      try {
        got.push(allocateInSet(store, set, idx, args.containerID, args.ifname, req));
      } catch (e) {
        if (got.length) store.releaseByID(args.containerID, args.ifname);
        throw new CniError(ErrorCode.Internal, `failed to allocate for range ${idx}: ${(e as Error).message}`);
      }
    });
    if (requested.length) {
      store.releaseByID(args.containerID, args.ifname);
      throw new CniError(ErrorCode.Internal, `failed to allocate all requested IPs: ${requested.map(formatIP).join(' ')}`);
    }
    return got;
  });
  const result: Result = { cniVersion: '1.1.0', ips };
  if (cfg.routes.length) result.routes = cfg.routes;
  result.dns = dns;
  return result;
}

/** Releases the attachment's addresses and returns them (the bridge uses them to clean masquerade state). */
export async function hostLocalDel(conf: Record<string, unknown>, args: CmdArgs): Promise<IP[]> {
  const { store } = load(conf, args);
  if (!existsSync(store.dir)) return [];
  return withDirLock(store.dir, () => store.releaseByID(args.containerID, args.ifname));
}

/** The addresses an attachment holds, without releasing them. */
export function hostLocalHeld(conf: Record<string, unknown>, args: CmdArgs): IP[] {
  const { store } = load(conf, args);
  return store.getByID(args.containerID, args.ifname);
}

export async function hostLocalCheck(conf: Record<string, unknown>, args: CmdArgs): Promise<void> {
  const { store } = load(conf, args);
  if (store.getByID(args.containerID, args.ifname).length === 0) {
    throw new CniError(ErrorCode.Internal, `host-local: Failed to find address added by container ${args.containerID}`);
  }
}

export interface Attachment { containerID: string; ifname: string }

/** Removes every reservation not held by one of the valid attachments; returns the released addresses. */
export async function hostLocalGc(conf: Record<string, unknown>, args: CmdArgs, valid: Attachment[]): Promise<string[]> {
  const { store } = load(conf, args);
  if (!existsSync(store.dir)) return [];
  const keep = new Set(valid.map((a) => `${a.containerID.trim()}${LINE_BREAK}${a.ifname}`));
  const keepIds = new Set(valid.map((a) => a.containerID.trim()));
  return withDirLock(store.dir, () => {
    const removed: string[] = [];
    for (const e of store.entries()) {
      const legacy = !e.owner.includes(LINE_BREAK);
      if (legacy ? keepIds.has(e.owner) : keep.has(e.owner)) continue;
      try { unlinkSync(e.file); removed.push(formatIP(e.ip)); } catch { /* gone */ }
    }
    return removed;
  });
}

/** Ready to allocate: the data directory is usable and every range set has a free address (else code 50). */
export async function hostLocalStatus(conf: Record<string, unknown>, args: CmdArgs): Promise<void> {
  const { cfg, store } = load(conf, args);
  try {
    store.ensure();
    accessSync(store.dir, constants.W_OK);
  } catch (e) {
    throw new CniError(ErrorCode.PluginNotAvailable, `host-local data directory ${store.dir} is not writable: ${(e as Error).message}`);
  }
  const held = store.entries().map((e) => e.ip);
  cfg.ranges.forEach((set) => {
    let size = 0n;
    for (const r of set) {
      size += r.rangeEnd.value - r.rangeStart.value + 1n;
      if (rangeContains(r, r.gateway)) size -= 1n;
    }
    const used = BigInt(held.filter((ip) => set.some((r) => rangeContains(r, ip) && !ipEqual(ip, r.gateway))).length);
    if (size - used <= 0n) {
      throw new CniError(ErrorCode.PluginNotAvailable, `no IP addresses available in range set: ${rangeSetString(set)}`,
        'release addresses with DEL or GC, or give the network a larger range');
    }
  });
}
