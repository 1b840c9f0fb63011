// Endpoint tracking as pure functions: which pods are a Service's endpoints, the conditions and ports
// each gets, how EndpointSlices are packed and rebalanced, and the legacy Endpoints subsets. The
// controllers in src/components/controllers (endpointslice.ts, endpoints.ts) feed them informer caches.
export * from './ports.js';
export * from './pod-endpoint.js';
export * from './membership.js';
export * from './trigger-time.js';
export * from './slice-reconciler.js';
export * from './subsets.js';
export * from './mirroring.js';
export * from './slice-endpoints.js';
