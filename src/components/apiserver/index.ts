export { runServer, type RunningServer, type ServerExtras } from './server.js';
export { Registry, toScale, type WriteOptions } from './registry.js';
export type { PodStreams } from './pod-streams.js';
export type { AdmissionPlugin, AdmissionAttributes } from './admission.js';
