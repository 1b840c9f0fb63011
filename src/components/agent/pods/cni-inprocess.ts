// podnet's own CNI plugins called in-process by the agent (no process per call): the same entry point
// bin/podnet-cni uses, with the plugin chosen by the configuration's `type` (bridge, host-local, portmap,
// loopback, or their podnet- names). They act on the agent's network namespace: the node's.
import { cniInvoke } from '../../cni/plugin.js';
import { CniPluginError, type PluginInvoker } from './cni-runtime.js';

export const inProcessPlugin: PluginInvoker = async (type, env, stdin) => {
  const out = await cniInvoke({ ...env }, stdin, { plugin: type });
  if (out.exitCode === 0) return out.stdout;
  let o: { code?: number; msg?: string; details?: string } = {};
  try { o = JSON.parse(out.stdout); } catch { /* not an error object */ }
  throw new CniPluginError(type, o.code ?? 999, o.msg ?? (out.stdout.trim() || 'failed'), o.details);
};
