// Whether the kernel tools podnet runs are installed, without running them: looked up on PATH plus the
// sbin directories the executor's shells search too (a non-login root shell may lack them).
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';

const EXTRA_PATH = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/** The absolute path of the executable `name` would run, or undefined. */
export function findTool(name: string, path: string = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...path.split(':'), ...EXTRA_PATH]) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch { /* not here */ }
  }
  return undefined;
}

/** The tools of `names` that are not installed. */
export function missingTools(names: readonly string[]): string[] {
  return names.filter((n) => findTool(n) === undefined);
}
