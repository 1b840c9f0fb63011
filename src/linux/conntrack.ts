// Connection tracking entries with the `conntrack` CLI (conntrack-tools, the tool kube-proxy shelled out
// to before it moved to netlink): list UDP entries and delete flows, so that UDP clients are not left
// talking to a deleted pod (kubernetes#59033). What is stale is decided by the callers.
import { CommandError, run } from './exec.js';

export interface ConntrackOptions {
  /** Namespace to run in (tests, the CNI plugin's own); the agent runs inside its node's. */
  netns?: string;
}

/** One `conntrack -D` filter: flows to origDst:origPortDst answered by replySrc. */
export interface ConntrackDeleteFilter {
  origDst?: string;
  origPortDst: number;
  replySrc: string;
}

const HOW_TO_INSTALL = 'the conntrack command (conntrack-tools) is missing: install it (Debian/Ubuntu: apt-get install conntrack) '
  + 'so that UDP clients are not left talking to deleted pods';

function missingTool(e: unknown): boolean {
  return e instanceof CommandError && e.exitCode === null && /ENOENT/.test(e.message);
}

function checkPort(p: number): string {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`invalid port ${p}: use 1-65535`);
  return String(p);
}

export function deleteArgs(f: ConntrackDeleteFilter): string[] {
  const args = ['conntrack', '-D', '-f', 'ipv4', '-p', 'udp'];
  if (f.origDst) args.push('--orig-dst', f.origDst);
  args.push('--orig-port-dst', checkPort(f.origPortDst), '--reply-src', f.replySrc);
  return args;
}

/** `conntrack -L -f ipv4 -p udp`: the listing text (parsed by the caller). */
export async function listConntrackUdp(opts: ConntrackOptions = {}): Promise<string> {
  try {
    return (await run(['conntrack', '-L', '-f', 'ipv4', '-p', 'udp'], { netns: opts.netns })).stdout;
  } catch (e) {
    throw missingTool(e) ? new Error(HOW_TO_INSTALL) : e;
  }
}

/** Deletes the flows matching the filter; how many conntrack deleted (0 when they went away meanwhile). */
export async function deleteConntrack(f: ConntrackDeleteFilter, opts: ConntrackOptions = {}): Promise<number> {
  // Exit 1 with "0 flow entries have been deleted": the entry went away meanwhile (it timed out).
  const r = await run(deleteArgs(f), { netns: opts.netns, okExitCodes: [1] });
  if (r.exitCode === 1 && !/0 flow entries have been deleted/.test(r.stderr)) {
    throw new CommandError(deleteArgs(f), 1, r.stderr, r.stdout);
  }
  const m = /(\d+) flow entries have been deleted/.exec(r.stderr);
  return m ? Number(m[1]) : 0;
}

/**
 * Best effort, as the CNI portmap plugin does it: deletes UDP flows to these destination ports and
 * ignores every failure, a missing conntrack tool included (the mapping works without it; only flows
 * already tracked to a previous pod keep going there until they time out).
 */
export async function deleteConntrackUdpToPorts(ports: readonly number[], opts: ConntrackOptions = {}): Promise<void> {
  for (const p of ports) {
    try {
      await run(['conntrack', '-D', '-p', 'udp', '--orig-port-dst', checkPort(p)], { netns: opts.netns, okExitCodes: 'any' });
    } catch (e) {
      if (missingTool(e)) return;
      throw e;
    }
  }
}
