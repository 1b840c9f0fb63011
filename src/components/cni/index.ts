// podnet's CNI plugins (bridge, host-local, loopback, portmap) and the one runtime side that executes
// a .conflist. The node agent:
//   - runs a pod's network list with CniRuntime (add / check / del / gc / status, libcni's result
//     cache), podnet's own plugin types in-process and any other type executed from CNI_PATH;
//   - serves bin/podnet-cni's fast path for external runtimes: serveCni('/run/podnet/<node>/cni.sock')
//     from the node's network namespace.
// cniInvoke answers one call with a raw CNI environment and stdin, exactly as a plugin binary would.
export { type InvokeOptions, type InvokeOutcome, type PluginKind, PLUGIN_TYPES, cniInvoke, pluginKind } from './plugin.js';
export { type CniServer, type ServeOptions, serveCni } from './server.js';
export { ensureShim, installPluginLinks, pluginExecutable, shimBinary, PODNET_ROOT } from './shim-build.js';
export { closeExecutor } from '../../linux/exec.js';
export { type CniCommand, type CniEnvVars, type InvokerOptions, type PluginInvoker, type RuntimeOptions, CniRuntime, pluginInvoker } from './runtime.js';
export { DEFAULT_CNI_PATH, execPlugin, findPlugin } from './exec-plugin.js';
export { type NetworkFile, loadDefaultNetwork, loadNetworkFile } from './network-dir.js';
export { type ConfList, parseConfList, pluginConfig } from '../../core/cni/conflist.js';
export { type Attachment, type CachedAttachment, DEFAULT_CACHE_DIR, cachePath, listCachedResults, readCachedResult } from './result-cache.js';
