// What every controller in `podnet server` gets: the API (only through ApiClient), the shared informers,
// an event recorder per component name, and a log line sink.
import type { ApiClient } from '../../core/api/client.js';
import type { InformerFactory } from '../kube/informer.js';
import { eventRecorder, type EventRecorder } from '../kube/events.js';

export interface ControllerContext {
  client: ApiClient;
  informers: InformerFactory;
  log: (line: string) => void;
}

export interface Controller {
  readonly name: string;
  /** Starts the workers; informers are started (and synced) by the caller. */
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

export function recorderFor(ctx: ControllerContext, component: string): EventRecorder {
  return eventRecorder(ctx.client, { component }, ctx.log);
}

/** `namespace/name` → [namespace, name]; cluster-scoped keys have no namespace. */
export function splitKey(key: string): [string | undefined, string] {
  const i = key.indexOf('/');
  return i < 0 ? [undefined, key] : [key.slice(0, i), key.slice(i + 1)];
}
