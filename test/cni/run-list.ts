// Test helper process: one CniRuntime operation with the node agent's defaults (podnet's own plugin
// types in-process, any other type executed from CNI_PATH), run from the network namespace it is
// started in as the agent runs in its node's:
//   ip netns exec <node> node --import tsx test/cni/run-list.ts <add|check|del|gc> <request JSON>
// request: {confDir, cacheDir, cniPath, containerID, netns, ifname, args, capabilityArgs}.
// Prints the ADD result (or the GC errors) as JSON; on failure the error object, and exits 1.
import { CniRuntime } from '../../src/components/cni/runtime.js';
import { loadDefaultNetwork } from '../../src/components/cni/network-dir.js';
import { asCniError } from '../../src/core/cni/errors.js';
import { closeExecutor } from '../../src/linux/exec.js';

const [op, json] = process.argv.slice(2);
const req = JSON.parse(json) as {
  confDir: string; cacheDir: string; cniPath: string[]; containerID: string; netns: string; ifname: string;
  args?: Array<[string, string]>; capabilityArgs?: Record<string, unknown>;
};
const rt = new CniRuntime({ cacheDir: req.cacheDir, cniPath: req.cniPath });
const a = { containerID: req.containerID, ifname: req.ifname, netns: req.netns, args: req.args ?? [], capabilityArgs: req.capabilityArgs ?? {} };
try {
  const list = loadDefaultNetwork(req.confDir);
  let out: unknown = null;
  if (op === 'add') out = await rt.add(list, a);
  else if (op === 'check') await rt.check(list, a);
  else if (op === 'del') await rt.del(list, a);
  else if (op === 'gc') out = await rt.gc(list, []);
  else throw new Error(`unknown operation ${op}`);
  process.stdout.write(`${JSON.stringify(out)}\n`);
} catch (e) {
  process.stdout.write(`${JSON.stringify(asCniError(e).toObject())}\n`);
  process.exitCode = 1;
} finally {
  closeExecutor();
}
