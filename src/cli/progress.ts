// Step-by-step progress for up and down: on a terminal, a transient "…" line per running step turned
// into "✓ step (123 ms)"; otherwise (logs, CI) plain lines "ok   step (123 ms)", one per step.
import type { Progress } from '../components/cluster/progress.js';

export function consoleProgress(out: NodeJS.WriteStream = process.stdout): Progress & { totalMs(): number } {
  const tty = out.isTTY === true;
  const started = Date.now();
  return {
    async step<T>(title: string, run: () => Promise<T>): Promise<T> {
      const t0 = Date.now();
      if (tty) out.write(`\x1b[2K\r… ${title}`);
      try {
        const value = await run();
        const ms = Date.now() - t0;
        out.write(tty ? `\x1b[2K\r\x1b[32m✓\x1b[0m ${title} \x1b[2m(${ms} ms)\x1b[0m\n` : `ok   ${title} (${ms} ms)\n`);
        return value;
      } catch (e) {
        const ms = Date.now() - t0;
        out.write(tty ? `\x1b[2K\r\x1b[31m✗\x1b[0m ${title} \x1b[2m(${ms} ms)\x1b[0m\n` : `FAIL ${title} (${ms} ms)\n`);
        throw e;
      }
    },
    note(line: string): void {
      out.write(`${tty ? '  ' : ''}${line}\n`);
    },
    totalMs: () => Date.now() - started,
  };
}
