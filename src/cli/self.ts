// How podnet runs itself as a child (`podnet server`, `podnet agent`): the same Node.js binary and the
// same entry point this process was started from: dist/cli/main.js when built, or src/cli/main.ts
// through tsx when run from source (tests, development).
import { fileURLToPath } from 'node:url';

export function podnetCommand(): string[] {
  const fromSource = import.meta.url.endsWith('.ts');
  const main = fileURLToPath(new URL(fromSource ? './main.ts' : './main.js', import.meta.url));
  return fromSource ? [process.execPath, '--import', import.meta.resolve('tsx'), main] : [process.execPath, main];
}
