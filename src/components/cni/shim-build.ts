// Builds the thin client (shim.c) with the system C compiler, next to the compiled JavaScript
// (dist/cni/podnet-cni-shim), where bin/podnet-cni looks for it. serveCni calls ensureShim, so
// the shim exists whenever an agent is there to answer it; without a compiler bin/podnet-cni
// simply runs the plugin stand-alone.
import { existsSync, mkdirSync, renameSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../linux/exec.js';

/** The checkout (or installed package) root: this file is src/components/cni or dist/components/cni. */
export const PODNET_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function shimSource(): string {
  return join(PODNET_ROOT, 'src', 'components', 'cni', 'shim.c');
}

export function shimBinary(): string {
  return process.env.PODNET_CNI_SHIM || join(PODNET_ROOT, 'dist', 'cni', 'podnet-cni-shim');
}

/** The executable CNI plugin (the sh entry point that picks the shim or the stand-alone plugin). */
export function pluginExecutable(): string {
  return join(PODNET_ROOT, 'bin', 'podnet-cni');
}

/**
 * Compiles the shim when it is missing or older than its source. Resolves with its path, or null
 * and the reason when it cannot be built (no C compiler): callers then lose only the fast path.
 */
export async function ensureShim(): Promise<{ path: string | null; reason?: string }> {
  const bin = shimBinary();
  const src = shimSource();
  if (!existsSync(src)) return existsSync(bin) ? { path: bin } : { path: null, reason: `${src} is missing` };
  if (existsSync(bin) && statSync(bin).mtimeMs >= statSync(src).mtimeMs) return { path: bin };
  mkdirSync(dirname(bin), { recursive: true });
  const tmp = `${bin}.tmp-${process.pid}`;
  for (const cc of ['cc', 'gcc', 'clang']) {
    try {
      await run([cc, '-O2', '-Wall', '-o', tmp, src], { timeoutMs: 60_000 });
      renameSync(tmp, bin);
      return { path: bin };
    } catch (e) {
      try { unlinkSync(tmp); } catch { /* not created */ }
      if (!/ENOENT|not found|spawn/.test(String((e as Error).message))) return { path: null, reason: (e as Error).message };
    }
  }
  return { path: null, reason: 'no C compiler (cc, gcc or clang) found; install one to enable the fast plugin path' };
}

/**
 * Makes the plugin available to a runtime: symlinks named after the plugin types in `binDir` (a
 * CNI_PATH directory) pointing at bin/podnet-cni. Existing podnet links are replaced.
 */
export function installPluginLinks(binDir: string, names = ['podnet-cni', 'podnet-bridge', 'podnet-host-local', 'podnet-loopback', 'podnet-portmap']): string[] {
  mkdirSync(binDir, { recursive: true });
  return names.map((name) => {
    const link = join(binDir, name);
    try { unlinkSync(link); } catch { /* absent */ }
    symlinkSync(pluginExecutable(), link);
    return link;
  });
}
