// Running a CNI plugin executable, the protocol every runtime and every delegating plugin speaks: look
// the type up in CNI_PATH, pass the CNI_* variables and the configuration on stdin, read the result
// from stdout, or the error object (stdout, non-zero exit) which is passed on unchanged as a CniError.
// The runtime (runtime.ts) runs chained plugins that are not podnet's own this way; podnet's bridge
// runs a delegated IPAM plugin this way (ipam.ts).
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { CniError, ErrorCode } from '../../core/cni/errors.js';
import { CommandError, run } from '../../linux/exec.js';

/**
 * Where plugins are looked up when nobody says otherwise: containerd's and CRI-O's default directory
 * first (what an administrator installs wins), then where Debian's containernetworking-plugins live.
 */
export const DEFAULT_CNI_PATH: readonly string[] = ['/opt/cni/bin', '/usr/lib/cni'];

/** The executable of plugin `type`: the first directory of `path` that has it (libcni FindInPath). */
export function findPlugin(type: string, path: readonly string[]): string {
  if (!type || /[/\\]/.test(type)) throw new CniError(ErrorCode.InvalidNetworkConfig, `invalid plugin type ${JSON.stringify(type)}`, 'a type is a file name in CNI_PATH, without "/"');
  for (const dir of path) {
    const file = join(dir, type);
    try { accessSync(file, constants.X_OK); return file; } catch { /* next directory */ }
  }
  throw new CniError(ErrorCode.Internal, `failed to find plugin ${JSON.stringify(type)} in path [${path.join(' ')}]`,
    'install the plugin or add its directory to CNI_PATH');
}

export interface ExecPluginOptions {
  /** Run the plugin inside this named network namespace (a runtime driving a node from outside it). */
  netns?: string;
}

/**
 * Executes plugin `type` found in env.CNI_PATH; resolves with its stdout. The plugin's stderr is its
 * log and is forwarded to ours, as the reference library does for delegates.
 */
export async function execPlugin(type: string, env: Record<string, string | undefined>, stdin: string, opts: ExecPluginOptions = {}): Promise<string> {
  const file = findPlugin(type, (env.CNI_PATH ?? '').split(':').filter(Boolean));
  try {
    const r = await run([file], { input: stdin, env: { ...process.env, ...env }, netns: opts.netns });
    if (r.stderr) process.stderr.write(r.stderr);
    return r.stdout;
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    if (e.stderr) process.stderr.write(e.stderr);
    let o: { code?: unknown; msg?: unknown; details?: unknown } = {};
    try { o = JSON.parse(e.stdout) as typeof o; } catch { /* not an error object */ }
    if (typeof o.code === 'number') throw new CniError(o.code, String(o.msg ?? ''), typeof o.details === 'string' ? o.details : '');
    throw new CniError(ErrorCode.Internal, `${type} ${env.CNI_COMMAND ?? ''} failed: ${e.message}`);
  }
}
