// Stand-alone entry of bin/podnet-cni: a CNI plugin process (environment + stdin in, result or
// error object on stdout, exit code). It imports only the CNI modules, to keep Node's start short;
// when a podnet agent runs, bin/podnet-cni's compiled shim forwards the call to the agent instead
// and this file is not loaded at all.
import { readFileSync } from 'node:fs';
import { cniInvoke, pluginKind } from './plugin.js';
import { SUPPORTED_VERSIONS } from '../../core/cni/version.js';

function readStdin(): string {
  if (process.stdin.isTTY) return '';
  try { return readFileSync(0, 'utf8'); } catch { return ''; }
}

async function main(): Promise<number> {
  const name = process.env.PODNET_CNI_PLUGIN;
  if (!process.env.CNI_COMMAND) {
    // What the reference plugins print when run by hand without a command.
    process.stderr.write(`podnet CNI plugin (${name ?? 'podnet-cni'}): bridge, host-local, loopback and portmap\n`);
    process.stderr.write(`CNI protocol versions supported: ${SUPPORTED_VERSIONS.join(', ')}\n`);
  }
  const out = await cniInvoke(process.env, readStdin(), { plugin: pluginKind(name) && name !== 'podnet-cni' ? name : undefined });
  if (out.stdout) process.stdout.write(out.stdout);
  return out.exitCode;
}

// The executor's pooled shells (src/linux/exec-pool.ts) are unreferenced when idle, so the process ends right
// after the answer and they exit when their stdin closes.
main().then(
  (code) => { process.exitCode = code; },
  (e) => { process.stdout.write(JSON.stringify({ code: 999, msg: String((e as Error)?.message ?? e) }, null, 4)); process.exitCode = 1; },
);
