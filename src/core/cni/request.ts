// The CNI execution protocol, plugin side: environment variables plus the configuration on stdin,
// validated in the same order and with the same codes and messages as the reference library's
// skel, so that a runtime (or a person) sees the errors it already knows.
import { CniError, ErrorCode } from './errors.js';
import { checkVersion, versionAtLeast } from './version.js';

export type Command = 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC' | 'VERSION';
export const COMMANDS: readonly Command[] = ['ADD', 'DEL', 'CHECK', 'STATUS', 'GC', 'VERSION'];

export type CniEnv = Record<string, string | undefined>;

export interface CmdArgs {
  containerID: string;
  netns: string;
  ifname: string;
  /** CNI_ARGS, raw "K=V;K=V". */
  args: string;
  /** CNI_PATH split on ':'. */
  path: string[];
  /** The raw configuration text (delegated IPAM plugins get exactly this). */
  stdin: string;
}

export interface Request {
  command: Command;
  args: CmdArgs;
  /** The decoded configuration; {} for VERSION. */
  conf: Record<string, unknown>;
  /** The configuration's cniVersion (results are printed in it). */
  cniVersion: string;
}

/**
 * Variables each command needs. The spec marks CNI_PATH optional and podnet's plugins only need it
 * to find a delegated IPAM binary, so unlike the reference (which demands it for ADD/DEL/CHECK)
 * it is not required here.
 */
const REQUIRED: Record<string, readonly Command[]> = {
  CNI_COMMAND: COMMANDS,
  CNI_CONTAINERID: ['ADD', 'DEL', 'CHECK'],
  CNI_NETNS: ['ADD', 'CHECK'],
  CNI_IFNAME: ['ADD', 'DEL', 'CHECK'],
};
const ENV_ORDER = ['CNI_COMMAND', 'CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME', 'CNI_ARGS', 'CNI_PATH'];

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function validateContainerID(id: string): void {
  if (id === '') throw new CniError(ErrorCode.UnknownContainer, 'missing containerID');
  if (!NAME_RE.test(id)) throw new CniError(ErrorCode.InvalidEnvironmentVariables, 'invalid characters in containerID', id);
}

export function validateNetworkName(name: string): void {
  if (name === '') throw new CniError(ErrorCode.InvalidNetworkConfig, 'missing network name');
  if (!NAME_RE.test(name)) throw new CniError(ErrorCode.InvalidEnvironmentVariables, 'invalid characters found in network name', name);
}

export function validateInterfaceName(ifname: string): void {
  if (ifname === '') throw new CniError(ErrorCode.InvalidEnvironmentVariables, 'interface name is empty');
  if (ifname.length > 15) {
    throw new CniError(ErrorCode.InvalidEnvironmentVariables, 'interface name is too long', 'interface name should be less than 16 characters');
  }
  if (ifname === '.' || ifname === '..') throw new CniError(ErrorCode.InvalidEnvironmentVariables, 'interface name is . or ..');
  if (/[/:\s]/.test(ifname)) {
    throw new CniError(ErrorCode.InvalidEnvironmentVariables, 'interface name contains / or : or whitespace characters');
  }
}

/** Decodes the configuration: JSON errors are code 6, a missing or bad name code 7/4. */
export function decodeConfig(stdin: string): Record<string, unknown> {
  let conf: unknown;
  try {
    conf = JSON.parse(stdin);
  } catch (e) {
    throw new CniError(ErrorCode.DecodingFailure, `error unmarshall network config: ${(e as Error).message}`);
  }
  if (!conf || typeof conf !== 'object' || Array.isArray(conf)) {
    throw new CniError(ErrorCode.DecodingFailure, 'error unmarshall network config: the configuration must be a JSON object');
  }
  const c = conf as Record<string, unknown>;
  const name = typeof c.name === 'string' ? c.name : '';
  validateNetworkName(name);
  return c;
}

/** Validates the environment and stdin of one plugin call; throws CniError as the reference skel would. */
export function parseRequest(env: CniEnv, stdin: string): Request {
  const command = (env.CNI_COMMAND ?? '') as Command;
  const known = COMMANDS.includes(command);
  const missing = ENV_ORDER.filter((k) => (REQUIRED[k] ?? []).includes(known ? command : 'ADD') && !env[k]);
  // With an unknown command only CNI_COMMAND itself can be missing.
  const reallyMissing = known ? missing : missing.filter((k) => k === 'CNI_COMMAND');
  if (reallyMissing.length) {
    throw new CniError(ErrorCode.InvalidEnvironmentVariables, `required env variables [${reallyMissing.join(',')}] missing`);
  }
  if (!known) throw new CniError(ErrorCode.InvalidEnvironmentVariables, `unknown CNI_COMMAND: ${command}`);

  const args: CmdArgs = {
    containerID: env.CNI_CONTAINERID ?? '',
    netns: env.CNI_NETNS ?? '',
    ifname: env.CNI_IFNAME ?? '',
    args: env.CNI_ARGS ?? '',
    path: (env.CNI_PATH ?? '').split(':').filter(Boolean),
    stdin,
  };

  if (command === 'VERSION') {
    // The configuration is optional for VERSION; only its cniVersion is of interest.
    let v = '';
    try { v = String((JSON.parse(stdin || '{}') as { cniVersion?: unknown }).cniVersion ?? ''); } catch { /* ignored */ }
    return { command, args, conf: {}, cniVersion: v };
  }

  const conf = decodeConfig(stdin);
  if (command === 'ADD' || command === 'DEL' || command === 'CHECK') {
    validateContainerID(args.containerID);
    validateInterfaceName(args.ifname);
  }
  // As in the reference, a configuration without cniVersion is a 0.1.0 one.
  const cniVersion = typeof conf.cniVersion === 'string' && conf.cniVersion !== '' ? conf.cniVersion : '0.1.0';
  checkVersion(cniVersion);
  const minimum: Partial<Record<Command, string>> = { CHECK: '0.4.0', STATUS: '1.1.0', GC: '1.1.0' };
  const min = minimum[command];
  if (min && !versionAtLeast(cniVersion, min)) {
    throw new CniError(ErrorCode.IncompatibleCNIVersion, `config version does not allow ${command}`);
  }
  return { command, args, conf, cniVersion };
}

/**
 * CNI_ARGS as key/value pairs. A pair without "=" is an error (reference message); unknown keys are
 * tolerated, because every Kubernetes runtime sends K8S_POD_* keys (the reference plugins only
 * accept them with IgnoreUnknown=1).
 */
export function parseCniArgs(s: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!s) return out;
  for (const pair of s.split(';')) {
    if (pair === '') continue;
    const kv = pair.split('=');
    if (kv.length !== 2) throw new CniError(ErrorCode.Internal, `ARGS: invalid pair ${JSON.stringify(pair)}`);
    out.set(kv[0], kv[1]);
  }
  return out;
}
