// How the agent starts the Node.js programs of a pod (the shim, built-in workloads): the same Node.js
// binary, and, when the agent itself runs from TypeScript sources (tests, development), tsx as loader,
// resolved to an absolute URL so that it works from any working directory.
import { fileURLToPath } from 'node:url';
import type { BuiltinWorkload } from './container-command.js';

const fromSource = import.meta.url.endsWith('.ts');
const ext = fromSource ? '.ts' : '.js';

function nodeArgv(script: URL): string[] {
  const file = fileURLToPath(script);
  return fromSource ? [process.execPath, '--import', import.meta.resolve('tsx'), file] : [process.execPath, file];
}

/** `node [--import tsx] .../shim-main.(js|ts)`; the config file path is appended by the caller. */
export function shimArgv(): string[] {
  return nodeArgv(new URL(`./shim-main${ext}`, import.meta.url));
}

/** `node [--import tsx] .../workloads/main.(js|ts) <workload> <args...>`. */
export function builtinArgv(workload: BuiltinWorkload, args: string[]): string[] {
  return [...nodeArgv(new URL(`../../../workloads/main${ext}`, import.meta.url)), workload, ...args];
}
