// Kernel modules (`modprobe`): the one step of a node's set-up that reaches beyond its namespace, since
// modules are global (br_netfilter, for bridged frames through netfilter).
import { run } from './exec.js';

/** Loads a module; false (and no error) when it cannot be loaded here, e.g. in a container without modules. */
export async function loadKernelModule(name: string): Promise<boolean> {
  if (!/^[a-zA-Z0-9_-]+$/.test(name)) throw new Error(`invalid kernel module name ${JSON.stringify(name)}`);
  try {
    await run(['modprobe', name]);
    return true;
  } catch {
    return false;
  }
}
