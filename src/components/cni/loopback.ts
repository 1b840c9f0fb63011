// The loopback plugin: `lo` up on ADD (result lists the addresses the kernel gave it), down on DEL,
// checked on CHECK, as the reference loopback does. One nsenter + ip per call.
import { CniError, ErrorCode } from '../../core/cni/errors.js';
import type { Request } from '../../core/cni/request.js';
import type { Result } from '../../core/cni/result.js';
import { netnsProblem } from '../../linux/cni-netns.js';
import { readIn, setLinkDownIn } from '../../linux/cni-veth.js';
import { checkAddNetns } from './netns-check.js';

interface LoJson { operstate?: string; flags?: string[]; addr_info?: { family?: string; local?: string; prefixlen?: number }[] }

export async function loopbackAdd(req: Request, env: Record<string, string | undefined>): Promise<Result> {
  checkAddNetns(req.args.netns, env);
  const { batch } = await readIn(req.args.netns, [{ argv: ['link', 'set', 'dev', 'lo', 'up'] }, { argv: ['addr', 'show', 'dev', 'lo'] }], false);
  if (batch.errors.length) throw new CniError(ErrorCode.Internal, `failed to set lo up: ${batch.errors.join('; ')}`);
  const lo = (batch.shows[0] as LoJson[] | undefined)?.[0];
  const ips = (lo?.addr_info ?? [])
    .filter((a) => a.local && a.prefixlen !== undefined && (a.family === 'inet' || a.family === 'inet6'))
    .map((a) => ({ interface: 0, address: `${a.local}/${a.prefixlen}` }));
  return {
    cniVersion: req.cniVersion,
    interfaces: [{ name: 'lo', mac: '00:00:00:00:00:00', sandbox: req.args.netns }],
    ips,
    dns: {},
  };
}

export async function loopbackDel(req: Request): Promise<void> {
  // Nothing to do when the namespace is gone or was not given.
  if (!req.args.netns || netnsProblem(req.args.netns)) return;
  await setLinkDownIn(req.args.netns, 'lo');
}

export async function loopbackCheck(req: Request): Promise<void> {
  const p = netnsProblem(req.args.netns);
  if (p) throw new CniError(ErrorCode.Internal, p.message);
  const { batch } = await readIn(req.args.netns, [{ argv: ['link', 'show', 'dev', 'lo'] }], false);
  const lo = (batch.shows[0] as LoJson[] | undefined)?.[0];
  if (!lo || !(lo.flags ?? []).includes('UP')) throw new CniError(ErrorCode.Internal, 'loopback interface is down');
}
