// v1 Events, recorded as client-go's event recorder does: named `<object>.<hex nanoseconds>`, in the
// involved object's namespace (`default` for cluster-scoped objects), and aggregated: the same event
// again (same source, object, type, reason and message) bumps `count` and `lastTimestamp` of the
// existing Event instead of creating a new one, so `kubectl describe` shows `(x5 over 2m)`.
// Recording never throws into a controller: a failed write is logged and dropped, as upstream.
// The one event recorder of podnet: the controllers, the Ingress controller and the agent's kubelet
// (source `kubelet`, host = node, container events with a fieldPath) all record through it.
import type { ApiClient } from '../../core/api/client.js';
import { isApiError } from '../../core/api/errors.js';
import type { KubeObject } from '../../core/api/object.js';

export type EventType = 'Normal' | 'Warning';

export interface EventSource {
  /** `deployment-controller`, `replicaset-controller`, `default-scheduler`, ... */
  component: string;
  host?: string;
}

export interface ObjectReference {
  kind: string;
  apiVersion?: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** Upstream's LRU size for the aggregation cache. */
const CACHE_SIZE = 4096;

export function referenceTo(obj: KubeObject | ObjectReference): ObjectReference {
  if ('metadata' in obj && obj.metadata) {
    const o = obj as KubeObject;
    const ref: ObjectReference = {
      kind: o.kind, apiVersion: o.apiVersion, name: o.metadata.name ?? '', uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
    };
    if (o.metadata.namespace) ref.namespace = o.metadata.namespace;
    // Node events carry the node's name as uid: kubelet records them so and kubectl describe node looks them up so.
    if (o.kind === 'Node') { ref.uid = ref.name; delete ref.resourceVersion; }
    return ref;
  }
  return obj as ObjectReference;
}

let sequence = 0;

/** `<name>.<hex unix nanoseconds>`, unique within this process even for events in the same millisecond. */
function eventName(objectName: string): string {
  sequence = (sequence + 1) % 1_000_000;
  const nanos = BigInt(Date.now()) * 1_000_000n + BigInt(sequence);
  return `${objectName}.${nanos.toString(16)}`;
}

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface Seen { namespace: string; name: string }

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly client: ApiClient, readonly source: EventSource, private readonly log?: (line: string) => void) {}

  /** Records an event in the background; await flush() to wait for it (tests). */
  event(involved: KubeObject | ObjectReference, type: EventType, reason: string, message: string): void {
    const ref = referenceTo(involved);
    this.chain = this.chain.then(() => this.write(ref, type, reason, message)).catch((e) => {
      this.log?.(`event ${reason} for ${ref.kind} ${ref.namespace ? ref.namespace + '/' : ''}${ref.name} dropped: ${(e as Error)?.message ?? e}`);
    });
  }

  /** Resolves when every event recorded so far has been written (or dropped). */
  flush(): Promise<void> {
    return this.chain;
  }

  private async write(ref: ObjectReference, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = ref.namespace || 'default';
    const key = JSON.stringify([this.source.component, this.source.host ?? '', ref.kind, ref.apiVersion ?? '', namespace, ref.name, ref.uid ?? '', ref.fieldPath ?? '', type, reason, message]);
    const prior = this.seen.get(key);
    if (prior) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const existing = await this.client.get('events', prior.namespace, prior.name);
        if (!existing) break;
        const e = existing as KubeObject & { count?: number; lastTimestamp?: string };
        e.count = (e.count ?? 1) + 1;
        e.lastTimestamp = timestamp();
        try {
          await this.client.update('events', e);
          this.touch(key, prior);
          return;
        } catch (err) {
          if (isApiError(err, 'NotFound')) break;
          if (!isApiError(err, 'Conflict')) throw err;
        }
      }
    }
    const now = timestamp();
    const ev = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: eventName(ref.name), namespace },
      involvedObject: ref,
      reason, message, type,
      source: this.source.host ? { component: this.source.component, host: this.source.host } : { component: this.source.component },
      firstTimestamp: now, lastTimestamp: now, count: 1,
      eventTime: null,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
    } as unknown as KubeObject;
    const created = await this.client.create('events', ev);
    this.touch(key, { namespace, name: created.metadata.name! });
  }

  private touch(key: string, s: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, s);
    if (this.seen.size > CACHE_SIZE) this.seen.delete(this.seen.keys().next().value!);
  }
}

const recorders = new WeakMap<ApiClient, Map<string, EventRecorder>>();

/** The shared recorder of a source on a client (so repeats aggregate across callers). */
export function eventRecorder(client: ApiClient, source: EventSource, log?: (line: string) => void): EventRecorder {
  let bySource = recorders.get(client);
  if (!bySource) recorders.set(client, bySource = new Map());
  const id = `${source.component}\0${source.host ?? ''}`;
  let r = bySource.get(id);
  if (!r) bySource.set(id, r = new EventRecorder(client, source, log));
  return r;
}

/** Records one event and resolves when it is written (or dropped); never rejects. */
export function recordEvent(client: ApiClient, involved: KubeObject | ObjectReference, type: EventType,
  reason: string, message: string, source: EventSource): Promise<void> {
  const r = eventRecorder(client, source);
  r.event(involved, type, reason, message);
  return r.flush();
}
