// Pod networking across nodes, planned: flannel-style VXLAN or host-gw routes, and masquerade of
// traffic leaving the cluster. Pure; src/components/agent/overlay programs the kernel from it.
export * from './state.js';
export * from './node.js';
export * from './plan.js';
export * from './diff.js';
export * from './masquerade.js';
