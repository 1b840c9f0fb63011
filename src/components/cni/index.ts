// podnet's CNI plugins. The node agent calls them in-process (cniAdd/cniDel/... or cniInvoke with a
// raw environment and stdin) and serves bin/podnet-cni's fast path with serveCni.
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
