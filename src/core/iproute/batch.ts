// iproute2 batches as data: the lines of `ip -batch -` / `bridge -batch -` (argv words after `ip`), the
// text iproute2 reads, and what its answer means line by line. Pure: src/linux/batch.ts runs them.
// A node with 1,000 peers needs 3,000 neighbour/FDB/route entries and a CNI ADD needs a dozen link and
// address changes; one process per entry (1-7 ms each) would take seconds, one batch takes milliseconds.

/** One batch line: the words after `ip` (e.g. ['link', 'set', 'dev', 'eth0', 'up']) and which errors are fine. */
export interface BatchLine {
  argv: readonly string[];
  /** EEXIST from this line is not an error (an idempotent add a concurrent sibling may have done first). */
  tolerateExists?: boolean;
  /** "It is not there" from this line is not an error (an idempotent delete a sibling may have done first). */
  tolerateMissing?: boolean;
}

// iproute2's batch reader splits lines on blanks and honours quotes and '#' comments.
const SAFE_WORD = /^[^\s"'#\\]+$/;

/** A word (interface name, netns path) that iproute2's batch parser keeps intact. */
export function isBatchSafeWord(word: string): boolean {
  return SAFE_WORD.test(word);
}

/** The batch text, one line per command; throws on a word the batch reader would split or comment out. */
export function batchText(lines: readonly (BatchLine | readonly string[])[]): string {
  return lines.map((l) => {
    const argv = 'argv' in l ? l.argv : l;
    for (const w of argv) {
      if (!SAFE_WORD.test(w)) throw new Error(`cannot put ${JSON.stringify(w)} in a batch line: words must not contain blanks, quotes, '#' or '\\'`);
    }
    return argv.join(' ');
  }).join('\n') + '\n';
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

/** The JSON documents `ip -j` printed for the `show` lines, one per line of output. */
export function parseShows(stdout: string): unknown[] {
  const out: unknown[] = [];
  for (const line of stdout.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('[') && !t.startsWith('{')) continue;
    try { out.push(JSON.parse(t)); } catch { /* not JSON: a warning line */ }
  }
  return out;
}

/** What a `-force` batch did: its shows, and its failures attributed to lines (tolerated ones left out of errors). */
export function batchOutcome(lines: readonly BatchLine[], stdout: string, stderr: string, status: number): BatchOutcome {
  const failed = parseBatchFailures(stderr);
  const errors: string[] = [];
  for (const [n, msg] of failed) {
    const line = lines[n - 1];
    if (line?.tolerateExists && isExistsError(msg)) continue;
    if (line?.tolerateMissing && isMissingError(msg)) continue;
    errors.push(`${line ? line.argv.join(' ') : `line ${n}`}: ${msg}`);
  }
  if (status !== 0 && failed.size === 0) errors.push(stderr.trim() || `ip exited with status ${status}`);
  return { shows: parseShows(stdout), errors, failed };
}
