// The pod side of a CNI attachment in one process chain: nsenter into CNI_NETNS, create the veth
// pair there (host end created straight into the host namespace), set the container interface's
// sysctls, then address it, raise it and route it with one `ip -batch`. Also the pod-side reads
// and deletes that CHECK, DEL and loopback need.
import { shQuote, shellRun } from './cni-shell.js';
import {
  type BatchLine, type BatchOutcome, batchOutcome, batchScript, inNetns, splitSteps, stepMarkers, sysctlScript,
} from './ipbatch.js';

export type PodVethOutcome =
  | { kind: 'ok'; config: BatchOutcome }
  /** The container already has an interface with that name. */
  | { kind: 'ifname-exists' }
  /** The host end's name is taken in the host namespace (try another). */
  | { kind: 'host-name-taken' }
  | { kind: 'create-failed'; message: string };

export async function setupPodVeth(
  netnsPath: string, ifname: string, createLine: BatchLine, sysctls: [string, string][], configLines: BatchLine[],
): Promise<PodVethOutcome> {
  const c = stepMarkers('create');
  const k = stepMarkers('config');
  const script = [
    c.begin,
    batchScript([createLine], false),
    'rc=$?',
    `echo "@@RC create $rc"`,
    `if [ $rc -ne 0 ]; then ip link show dev ${shQuote(ifname)} >/dev/null 2>&1 && echo '@@IFNAME-EXISTS'; exit 0; fi`,
    sysctlScript(sysctls),
    k.begin,
    batchScript(configLines, true),
    k.end,
  ].join('\n');
  const r = await shellRun(inNetns(netnsPath, script));
  const steps = splitSteps(r.stdout, r.stderr);
  const create = steps.get('create');
  if (!create || create.status === null) {
    return { kind: 'create-failed', message: r.stderr.trim() || `nsenter exited with status ${r.status}` };
  }
  if (create.status !== 0) {
    if (r.stdout.includes('@@IFNAME-EXISTS')) return { kind: 'ifname-exists' };
    if (/File exists/.test(create.stderr)) return { kind: 'host-name-taken' };
    return { kind: 'create-failed', message: create.stderr.replace(/Command failed -:\d+/g, '').trim() };
  }
  const config = steps.get('config');
  if (!config || config.status === null) {
    return { kind: 'ok', config: { shows: [], errors: [r.stderr.trim() || 'configuring the container interface did not run'], failed: new Map() } };
  }
  return { kind: 'ok', config: batchOutcome(configLines, config.stdout, config.stderr, config.status) };
}

/** Deletes a link inside a namespace; false if it was not there. */
export async function deleteLinkIn(netnsPath: string, ifname: string): Promise<boolean> {
  const r = await shellRun(inNetns(netnsPath, `ip link del dev ${shQuote(ifname)}`));
  if (r.status === 0) return true;
  if (/Cannot find device|does not exist/.test(r.stderr)) return false;
  throw new Error(`failed to delete ${ifname} in ${netnsPath}: ${r.stderr.trim()}`);
}

/** Runs read-only batch lines (shows) inside a namespace, plus `ip -6 -j route show` when asked. */
export async function readIn(netnsPath: string, lines: BatchLine[], withV6Routes: boolean): Promise<{ batch: BatchOutcome; v6routes: unknown }> {
  const a = stepMarkers('batch');
  const b = stepMarkers('v6routes');
  const script = [a.begin, batchScript(lines, true), a.end, ...(withV6Routes ? [b.begin, 'ip -6 -j route show table main', b.end] : [])].join('\n');
  const r = await shellRun(inNetns(netnsPath, script));
  const steps = splitSteps(r.stdout, r.stderr);
  const s = steps.get('batch');
  const batch = s ? batchOutcome(lines, s.stdout, s.stderr, s.status ?? 1) : { shows: [], errors: [r.stderr.trim()], failed: new Map() };
  let v6routes: unknown = [];
  const v6 = steps.get('v6routes');
  if (v6?.stdout.trim()) { try { v6routes = JSON.parse(v6.stdout); } catch { /* none */ } }
  return { batch, v6routes };
}
