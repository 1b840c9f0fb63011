// How components talk to the Kubernetes API: one ApiClient over a kubeconfig (client.ts), one informer
// loop (list, watch, resume, relist on 410 Gone, back off on errors, resync; informer.ts) and one event
// recorder (events.ts). Controllers, the agent, cluster DNS, the Ingress controller and the UI use these.
export { KubeApiClient } from './client.js';
export { Informer, InformerFactory, type EventHandlers, type InformerOptions, type IndexFunc } from './informer.js';
export { EventRecorder, eventRecorder, recordEvent, referenceTo, type EventSource, type EventType, type ObjectReference } from './events.js';
