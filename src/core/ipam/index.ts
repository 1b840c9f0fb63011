// Address and port allocation: pure data structures, no I/O. The API server calls the ClusterIP and
// NodePort allocators in its write path; the node IPAM controller uses the CIDR allocator.
export * from './allocation-error.js';
export * from './bitmap-allocator.js';
export * from './service-ip-allocator.js';
export * from './port-allocator.js';
export * from './cidr-allocator.js';
