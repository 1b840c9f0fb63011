// The node's service proxy: plan (core/proxy) → program (nft). The node agent creates one ServiceProxy
// and feeds it its Service and EndpointSlice informer caches.
export { NftProgrammer, NftSyncError, type NftApplier, type SyncReport } from './programmer.js';
export { ServiceProxy, TRIGGER_TIME_ANNOTATION, type ProxySyncResult, type ServiceProxyConfig } from './service-proxy.js';
export { BoundedFrequencyRunner, type BoundedFrequencyOptions } from './bounded-frequency-runner.js';
