// The pod side of a CNI attachment: nsenter into CNI_NETNS, set the container interface's sysctls
// (they only exist inside that namespace), then address it, raise it and route it with one
// `ip -batch` that replaces the shell. Also the pod-side reads and deletes that CHECK, DEL and
// loopback need.
import { heredoc, shQuote, shellRun } from './cni-shell.js';
import {
  type BatchLine, type BatchOutcome, batchOutcome, batchScript, inNetns, ipIn, splitSteps, stepMarkers, sysctlScript,
} from './ipbatch.js';

/** Writes the sysctls, then runs the batch lines (JSON output) in the namespace at `netnsPath`. */
export async function configurePod(netnsPath: string, sysctls: [string, string][], lines: BatchLine[]): Promise<BatchOutcome> {
  // exec: ip replaces the shell (one fork less); its status is the script's.
  const script = `${sysctlScript(sysctls)}\nexec ${batchScript(lines, true)}`;
  const r = await shellRun(inNetns(netnsPath, script));
  return batchOutcome(lines, r.stdout, r.stderr, r.status);
}

/** Whether a link with this name exists inside the namespace. */
export async function linkExistsIn(netnsPath: string, ifname: string): Promise<boolean> {
  const r = await shellRun(ipIn(netnsPath, `link show dev ${shQuote(ifname)}`));
  return r.status === 0;
}

/** Deletes a link inside a namespace; false if it was not there. */
export async function deleteLinkIn(netnsPath: string, ifname: string): Promise<boolean> {
  const r = await shellRun(ipIn(netnsPath, `link del dev ${shQuote(ifname)}`));
  if (r.status === 0) return true;
  if (/Cannot find device|does not exist/.test(r.stderr)) return false;
  throw new Error(`failed to delete ${ifname} in ${netnsPath}: ${r.stderr.trim()}`);
}

/** Runs batch lines inside a namespace, plus `ip -6 -j route show` when asked (CHECK). */
export async function readIn(netnsPath: string, lines: BatchLine[], withV6Routes: boolean): Promise<{ batch: BatchOutcome; v6routes: unknown }> {
  if (!withV6Routes) {
    // One process: ip -n NAME (or nsenter + ip) running the batch.
    const h = heredoc(lines.map((l) => l.cmd).join('\n'));
    const r = await shellRun(ipIn(netnsPath, `-j -force -batch - ${h.redirect}${h.body}`));
    return { batch: batchOutcome(lines, r.stdout, r.stderr, r.status), v6routes: [] };
  }
  const a = stepMarkers('batch');
  const b = stepMarkers('v6routes');
  const script = [a.begin, batchScript(lines, true), a.end, b.begin, 'ip -6 -j route show table main', b.end].join('\n');
  const r = await shellRun(inNetns(netnsPath, script));
  const steps = splitSteps(r.stdout, r.stderr);
  const s = steps.get('batch');
  const batch = s ? batchOutcome(lines, s.stdout, s.stderr, s.status ?? 1) : { shows: [], errors: [r.stderr.trim()], failed: new Map() };
  let v6routes: unknown = [];
  const v6 = steps.get('v6routes');
  if (v6?.stdout.trim()) { try { v6routes = JSON.parse(v6.stdout); } catch { /* none */ } }
  return { batch, v6routes };
}
