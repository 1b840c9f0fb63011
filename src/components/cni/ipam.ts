// IPAM delegation (spec §"Delegated plugins"): the main plugin runs the IPAM plugin named by
// ipam.type with the same environment and the complete configuration. host-local (also under the
// name podnet-host-local) runs in-process, with the reference's on-disk format; any other type is
// executed from CNI_PATH like the reference does.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { CniError, ErrorCode } from '../../core/cni/errors.js';
import type { IP } from '../../core/cni/ip.js';
import type { CmdArgs, Command } from '../../core/cni/request.js';
import { type Result, parseResult } from '../../core/cni/result.js';
import { CommandError, run } from '../../linux/exec.js';
import {
  type Attachment, hostLocalAdd, hostLocalCheck, hostLocalDel, hostLocalGc, hostLocalHeld, hostLocalStatus,
} from './host-local.js';

export const IN_PROCESS_IPAM = new Set(['host-local', 'podnet-host-local']);

export function findPlugin(type: string, path: string[]): string {
  if (!type || /[/\\]/.test(type)) throw new CniError(ErrorCode.InvalidNetworkConfig, `invalid plugin type ${JSON.stringify(type)}`);
  for (const dir of path) {
    const file = join(dir, type);
    try { accessSync(file, constants.X_OK); return file; } catch { /* next */ }
  }
  throw new CniError(ErrorCode.Internal, `failed to find plugin ${JSON.stringify(type)} in path [${path.join(' ')}]`,
    'install the IPAM plugin or add its directory to CNI_PATH');
}

/** Runs an external delegate; its error object is passed through unchanged. */
async function execDelegate(command: Command, type: string, args: CmdArgs, stdin: string): Promise<string> {
  const file = findPlugin(type, args.path);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CNI_COMMAND: command,
    CNI_CONTAINERID: args.containerID,
    CNI_NETNS: args.netns,
    CNI_IFNAME: args.ifname,
    CNI_ARGS: args.args,
    CNI_PATH: args.path.join(':'),
  };
  try {
    const r = await run([file], { input: stdin, env });
    if (r.stderr) process.stderr.write(r.stderr);
    return r.stdout;
  } catch (e) {
    if (e instanceof CommandError) {
      if (e.stderr) process.stderr.write(e.stderr);
      try {
        const o = JSON.parse(e.stdout) as { code?: number; msg?: string; details?: string };
        if (typeof o.code === 'number') throw new CniError(o.code, o.msg ?? '', o.details ?? '');
      } catch (inner) {
        if (inner instanceof CniError) throw inner;
      }
      throw new CniError(ErrorCode.Internal, `${type} failed: ${e.message}`);
    }
    throw e;
  }
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
