// iproute2 batches: many `ip` commands in one process (`ip -force -batch -`), with per-line error
// attribution ("Command failed -:N" follows each failing line's message), JSON output of the
// `show` lines, and the same run inside any network namespace given by path (nsenter), which is
// what CNI_NETNS is. One batch per namespace keeps a pod's wiring at two or three processes.
import { existsSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { heredoc, shQuote, shellRun } from './cni-shell.js';

export interface BatchLine {
  cmd: string;
  /** EEXIST from this line is not an error (an idempotent add a concurrent sibling may have done first). */
  tolerateExists?: boolean;
  /** "It is not there" from this line is not an error (an idempotent delete a sibling may have done first). */
  tolerateMissing?: boolean;
}

/**
 * Whether iproute2's message is the kernel's EEXIST: "RTNETLINK answers: File exists" from older
 * kernels, or the extack text newer ones give instead, e.g. "Error: ipv4: Address already assigned."
 * for an address that a concurrent ADD put on the bridge a moment before (the reference bridge plugin
 * treats EEXIST from AddrAdd as success).
 */
export function isExistsError(message: string): boolean {
  return /File exists|Address already assigned|already exists/i.test(message);
}

/** Whether iproute2's message says the object to delete is not there (EADDRNOTAVAIL, ENODEV, ESRCH). */
export function isMissingError(message: string): boolean {
  return /Cannot assign requested address|Cannot find device|No such process|does not exist/i.test(message);
}

export interface BatchOutcome {
  /** Parsed JSON of every `show` line, in order. */
  shows: unknown[];
  /** Errors of lines that failed and are not tolerated: "<command>: <message>". */
  errors: string[];
  /** 1-based numbers of all failed lines, tolerated or not, with their message. */
  failed: Map<number, string>;
}

/** The sh snippet running the lines through one `ip` process; -force keeps going after a failure. */
export function batchScript(lines: readonly BatchLine[], json = true, details = false): string {
  const h = heredoc(lines.map((l) => l.cmd).join('\n'));
  return `ip ${json ? '-j ' : ''}${details ? '-d ' : ''}-force -batch - ${h.redirect}${h.body}`;
}

/** Maps "Command failed -:N" lines back to the message lines printed before them. */
export function parseBatchFailures(stderr: string): Map<number, string> {
  const failed = new Map<number, string>();
  let msg: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^Command failed -:(\d+)$/.exec(line.trim());
    if (m) {
      failed.set(Number(m[1]), msg.join('; ').trim() || 'failed');
      msg = [];
    } else if (line.trim()) {
      msg.push(line.trim());
    }
  }
  return failed;
}

export function parseShows(stdout: string): unknown[] {
  const out: unknown[] = [];
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('[') && !t.startsWith('{')) continue;
    try { out.push(JSON.parse(t)); } catch { /* not JSON: a warning line */ }
  }
  return out;
}

export function batchOutcome(lines: readonly BatchLine[], stdout: string, stderr: string, status: number): BatchOutcome {
  const failed = parseBatchFailures(stderr);
  const errors: string[] = [];
  for (const [n, msg] of failed) {
    const line = lines[n - 1];
    if (line?.tolerateExists && isExistsError(msg)) continue;
    if (line?.tolerateMissing && isMissingError(msg)) continue;
    errors.push(`${line?.cmd ?? `line ${n}`}: ${msg}`);
  }
  if (status !== 0 && failed.size === 0) errors.push(stderr.trim() || `ip exited with status ${status}`);
  return { shows: parseShows(stdout), errors, failed };
}

/** Runs the lines in this process's network namespace (`details`: ip -d, e.g. for link kinds). */
export async function runBatch(lines: readonly BatchLine[], details = false): Promise<BatchOutcome> {
  const r = await shellRun(batchScript(lines, true, details));
  return batchOutcome(lines, r.stdout, r.stderr, r.status);
}

/**
 * A shell command running `ip <args>` inside the namespace at `netnsPath`: `ip -n NAME` for a
 * namespace of `ip netns` (cheapest), else through nsenter.
 */
export function ipIn(netnsPath: string, args: string): string {
  const m = /^\/(?:var\/)?run\/netns\/([^/]+)$/.exec(netnsPath);
  if (m && /^[A-Za-z0-9_.-]+$/.test(m[1]) && existsSync('/var/run/netns') && realpathSync('/var/run/netns') === realpathSync(dirname(netnsPath))) {
    return `ip -n ${shQuote(m[1])} ${args}`;
  }
  return `nsenter --net=${shQuote(netnsPath)} ip ${args}`;
}

/** Wraps a sh script so that it runs inside the network namespace at `netnsPath`. */
export function inNetns(netnsPath: string, script: string): string {
  const h = heredoc(script);
  return `nsenter --net=${shQuote(netnsPath)} /bin/sh -s ${h.redirect}${h.body}`;
}

/** Runs the lines inside the namespace at `netnsPath` (one nsenter + ip). */
export async function runBatchIn(netnsPath: string, lines: readonly BatchLine[]): Promise<BatchOutcome> {
  const r = await shellRun(inNetns(netnsPath, batchScript(lines)));
  return batchOutcome(lines, r.stdout, r.stderr, r.status);
}

/** sh lines writing sysctls (relative to /proc/sys) in the current namespace, ignoring failures. */
export function sysctlScript(values: readonly [string, string][]): string {
  return values.map(([k, v]) => `{ echo ${shQuote(v)} > ${shQuote(`/proc/sys/${k}`)}; } 2>/dev/null`).join('\n');
}

/**
 * Output of a multi-step script: each step prints "@@STEP name" on stdout and stderr before it
 * runs and "@@RC name status" after it.
 */
export interface StepOutput { stdout: string; stderr: string; status: number | null }

export function stepMarkers(name: string): { begin: string; end: string } {
  return { begin: `echo '@@STEP ${name}'; echo '@@STEP ${name}' >&2`, end: `echo "@@RC ${name} $?"` };
}

export function splitSteps(stdout: string, stderr: string): Map<string, StepOutput> {
  const steps = new Map<string, StepOutput>();
  const cut = (text: string, key: 'stdout' | 'stderr') => {
    let cur: string | null = null;
    for (const line of text.split('\n')) {
      const b = /^@@STEP (\S+)$/.exec(line);
      const e = /^@@RC (\S+) (\d+)$/.exec(line);
      if (b) {
        cur = b[1];
        if (!steps.has(cur)) steps.set(cur, { stdout: '', stderr: '', status: null });
      } else if (e && key === 'stdout') {
        const s = steps.get(e[1]);
        if (s) s.status = Number(e[2]);
        cur = null;
      } else if (cur) {
        const s = steps.get(cur)!;
        s[key] += `${line}\n`;
      }
    }
  };
  cut(stdout, 'stdout');
  cut(stderr, 'stderr');
  return steps;
}
