// podnet's CNI plugins (bridge, host-local, loopback, portmap) and the runtime side that executes
// a .conflist. The node agent:
//   - runs a pod's network list in-process: parseConfList + addNetworkList / delNetworkList /
//     checkNetworkList (with cacheDir: libcni's result cache) and gcNetworkList;
//   - or single plugin calls: cniAdd / cniDel / cniCheck / cniStatus / cniGc, or cniInvoke with a raw
//     CNI environment and stdin (what a plugin binary gets);
//   - serves bin/podnet-cni's fast path for external runtimes: serveCni('/run/podnet/<node>/cni.sock')
//     from the node's network namespace.
export {
  type CniCall, type InvokeOptions, type InvokeOutcome, type PluginKind, PLUGIN_TYPES,
  cniAdd, cniCheck, cniDel, cniGc, cniInvoke, cniStatus, cniVersion, pluginKind,
} from './plugin.js';
export { type CniServer, type ServeOptions, serveCni } from './server.js';
export { ensureShim, installPluginLinks, pluginExecutable, shimBinary, PODNET_ROOT } from './shim-build.js';
export { closeShells } from '../../linux/cni-shell.js';
export { type ListOptions, addNetworkList, checkNetworkList, delNetworkList, gcNetworkList, statusNetworkList } from './runtime.js';
export { type ConfList, parseConfList, pluginConfig } from '../../core/cni/conflist.js';
export { type CachedAttachment, DEFAULT_CACHE_DIR, cachePath, deleteCachedResult, readCachedResult, writeCachedResult } from './result-cache.js';
