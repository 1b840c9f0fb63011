export { StreamingServer, type StreamingServerOptions } from './server.js';
export { StreamRequestError, type StreamingRuntime, type StreamProcess, type LogOptions, type PodRef } from './runtime.js';
