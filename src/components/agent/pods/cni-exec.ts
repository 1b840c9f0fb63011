// Running a CNI plugin as an executable, the protocol every runtime speaks: look the type up in
// CNI_PATH, pass the six CNI_* variables and the request configuration on stdin, read the result (or
// the error object) from stdout.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CniPluginError, type CniEnvVars, type PluginInvoker } from './cni-runtime.js';

function findPlugin(type: string, path: string[]): string {
  if (!type || /[/\\]/.test(type)) throw new CniPluginError(type, 7, `invalid plugin type ${JSON.stringify(type)}`);
  for (const dir of path) {
    const file = join(dir, type);
    try { accessSync(file, constants.X_OK); return file; } catch { /* next directory */ }
  }
  throw new CniPluginError(type, 999, `failed to find plugin "${type}" in path [${path.join(' ')}]`);
}

/**
 * A PluginInvoker that executes plugin binaries found in CNI_PATH, in the caller's network namespace
 * (the node's, where the agent runs) or, for tests driving a node from outside, in `netns`.
 */
export const execPlugin = (netns?: string): PluginInvoker => (type: string, env: CniEnvVars, stdin: string) => {
  const file = findPlugin(type, env.CNI_PATH.split(':').filter(Boolean));
  const argv = netns ? ['ip', 'netns', 'exec', netns, file] : [file];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => reject(new CniPluginError(type, 999, `cannot run ${file}: ${e.message}`)));
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString();
      if (code === 0) return resolve(stdout);
      let obj: { code?: number; msg?: string; details?: string } = {};
      try { obj = JSON.parse(stdout); } catch { /* not an error object */ }
      reject(new CniPluginError(type, obj.code ?? 999, obj.msg ?? (stdout.trim() || Buffer.concat(err).toString().trim() || `exit ${code}`), obj.details));
    });
    child.stdin.on('error', () => { /* exited before reading */ });
    child.stdin.end(stdin);
  });
};
