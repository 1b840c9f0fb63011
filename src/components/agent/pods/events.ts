// Pod events as kubelet records them (source component "kubelet", host = node name; container events
// carry the fieldPath spec.containers{name}), aggregated like client-go's recorder: the same event again
// bumps count and lastTimestamp of the existing Event. Recording never throws into the pod worker.
import { CoreV1Api, PatchStrategy, setHeaderOptions, type CoreV1Event, type V1Pod } from '@kubernetes/client-node';

export type EventType = 'Normal' | 'Warning';

export interface PodEventRecorder {
  pod(pod: V1Pod, type: EventType, reason: string, message: string, fieldPath?: string): void;
}

const CACHE_SIZE = 4096;
let sequence = 0;

function eventName(objectName: string): string {
  sequence = (sequence + 1) % 1_000_000;
  return `${objectName}.${(BigInt(Date.now()) * 1_000_000n + BigInt(sequence)).toString(16)}`;
}

/** Where a container's events point: spec.containers{name} or spec.initContainers{name}. */
export function containerFieldPath(pod: V1Pod, container: string): string {
  const init = pod.spec?.initContainers?.some((c) => c.name === container);
  return `spec.${init ? 'initContainers' : 'containers'}{${container}}`;
}

export class KubeletEventRecorder implements PodEventRecorder {
  private readonly seen = new Map<string, { name: string; namespace: string; count: number }>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly core: CoreV1Api, private readonly node: string, private readonly log: (line: string) => void) {}

  pod(pod: V1Pod, type: EventType, reason: string, message: string, fieldPath?: string): void {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const key = [namespace, name, pod.metadata?.uid, fieldPath ?? '', type, reason, message].join('\u0000');
    // Serialised so that an aggregated update follows its create.
    this.queue = this.queue.then(() => this.write(key, pod, namespace, name, type, reason, message, fieldPath))
      .catch((e) => this.log(`event ${reason} for pod ${namespace}/${name} not recorded: ${(e as Error).message}`));
  }

  private async write(key: string, pod: V1Pod, namespace: string, name: string, type: EventType, reason: string, message: string, fieldPath?: string): Promise<void> {
    const now = new Date();
    const prior = this.seen.get(key);
    if (prior) {
      prior.count++;
      try {
        await this.core.patchNamespacedEvent(
          { name: prior.name, namespace, body: { count: prior.count, lastTimestamp: now.toISOString() } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        return;
      } catch { this.seen.delete(key); /* it expired or was deleted: record it anew */ }
    }
    const event: CoreV1Event = {
      metadata: { name: eventName(name), namespace },
      involvedObject: {
        kind: 'Pod', apiVersion: 'v1', namespace, name, uid: pod.metadata?.uid,
        resourceVersion: pod.metadata?.resourceVersion, ...(fieldPath ? { fieldPath } : {}),
      },
      reason, message, type, count: 1,
      firstTimestamp: now, lastTimestamp: now,
      source: { component: 'kubelet', host: this.node },
      reportingComponent: 'kubelet', reportingInstance: this.node,
    };
    const created = await this.core.createNamespacedEvent({ namespace, body: event });
    if (this.seen.size >= CACHE_SIZE) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { name: created.metadata?.name ?? event.metadata.name!, namespace, count: 1 });
  }

  /** Waits until every queued event was written (tests, shutdown). */
  flush(): Promise<void> { return this.queue; }
}
