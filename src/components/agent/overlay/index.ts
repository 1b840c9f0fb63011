// The node agent's overlay: pod-to-pod routes across nodes (flannel-style VXLAN or host-gw) and
// masquerade of pod traffic leaving the cluster, kept in step with the Nodes of the API.
export { startOverlay, OVERLAY_RESYNC_MS, type OverlayOptions, type OverlayConfig, type RunningOverlay } from './start.js';
export { OverlayProgrammer, type OverlayProgrammerOptions, type SyncResult } from './programmer.js';
export { kubeNodeSource, type NodeSource } from './node-source.js';
export { readOverlayState, applyOverlayChanges, uplinkMTU, type KernelScope } from './kernel.js';
