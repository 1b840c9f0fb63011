// IPAM delegation (spec §"Delegated plugins"): the main plugin runs the IPAM plugin named by
// ipam.type with the same environment and the complete configuration. host-local (also under the
// name podnet-host-local) runs in-process, with the reference's on-disk format; any other type is
// executed from CNI_PATH like the reference does.
import { CniError, ErrorCode } from '../../core/cni/errors.js';
import type { IP } from '../../core/net/index.js';
import type { CmdArgs, Command } from '../../core/cni/request.js';
import { type Result, parseResult } from '../../core/cni/result.js';
import { execPlugin } from './exec-plugin.js';
import {
  type Attachment, hostLocalAdd, hostLocalCheck, hostLocalDel, hostLocalGc, hostLocalHeld, hostLocalStatus,
} from './host-local.js';

export const IN_PROCESS_IPAM = new Set(['host-local', 'podnet-host-local']);

/** Runs an external delegate with the parent's environment; its error object is passed through unchanged. */
function execDelegate(command: Command, type: string, args: CmdArgs, stdin: string): Promise<string> {
  return execPlugin(type, {
    CNI_COMMAND: command, CNI_CONTAINERID: args.containerID, CNI_NETNS: args.netns, CNI_IFNAME: args.ifname,
    CNI_ARGS: args.args, CNI_PATH: args.path.join(':'),
  }, stdin);
}

export async function ipamAdd(type: string, conf: Record<string, unknown>, args: CmdArgs): Promise<Result> {
  if (IN_PROCESS_IPAM.has(type)) return hostLocalAdd(conf, args);
  const out = await execDelegate('ADD', type, args, args.stdin);
  try {
    return parseResult(JSON.parse(out));
  } catch (e) {
    throw new CniError(ErrorCode.DecodingFailure, `failed to decode the result of IPAM plugin ${type}: ${(e as Error).message}`);
  }
}

/** Releases the attachment; for host-local returns the addresses it held. */
export async function ipamDel(type: string, conf: Record<string, unknown>, args: CmdArgs): Promise<IP[]> {
  if (IN_PROCESS_IPAM.has(type)) return hostLocalDel(conf, args);
  await execDelegate('DEL', type, args, args.stdin);
  return [];
}

/** The addresses the attachment holds, when the IPAM can tell without side effects (host-local). */
export function ipamHeld(type: string, conf: Record<string, unknown>, args: CmdArgs): IP[] {
  return IN_PROCESS_IPAM.has(type) ? hostLocalHeld(conf, args) : [];
}

export async function ipamCheck(type: string, conf: Record<string, unknown>, args: CmdArgs): Promise<void> {
  if (IN_PROCESS_IPAM.has(type)) return hostLocalCheck(conf, args);
  await execDelegate('CHECK', type, args, args.stdin);
}

export async function ipamGc(type: string, conf: Record<string, unknown>, args: CmdArgs, valid: Attachment[]): Promise<void> {
  if (IN_PROCESS_IPAM.has(type)) { await hostLocalGc(conf, args, valid); return; }
  await execDelegate('GC', type, args, args.stdin);
}

export async function ipamStatus(type: string, conf: Record<string, unknown>, args: CmdArgs): Promise<void> {
  if (IN_PROCESS_IPAM.has(type)) return hostLocalStatus(conf, args);
  await execDelegate('STATUS', type, args, args.stdin);
}
