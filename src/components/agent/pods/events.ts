// Pod events as kubelet records them: source component "kubelet" with host = node name, and container
// events carrying the fieldPath spec.containers{name}. Written (and aggregated into count and
// lastTimestamp) by the one event recorder, components/kube/events.ts. Recording never throws into the
// pod worker.
import type { V1Pod } from '@kubernetes/client-node';
import type { ApiClient } from '../../../core/api/client.js';
import { EventRecorder, type EventType, type ObjectReference } from '../../kube/events.js';

export type { EventType };

export interface PodEventRecorder {
  pod(pod: V1Pod, type: EventType, reason: string, message: string, fieldPath?: string): void;
}

/** Where a container's events point: spec.containers{name} or spec.initContainers{name}. */
export function containerFieldPath(pod: V1Pod, container: string): string {
  const init = pod.spec?.initContainers?.some((c) => c.name === container);
  return `spec.${init ? 'initContainers' : 'containers'}{${container}}`;
}

export class KubeletEventRecorder implements PodEventRecorder {
  private readonly recorder: EventRecorder;

  constructor(client: ApiClient, node: string, log: (line: string) => void) {
    this.recorder = new EventRecorder(client, { component: 'kubelet', host: node }, log);
  }

  pod(pod: V1Pod, type: EventType, reason: string, message: string, fieldPath?: string): void {
    const ref: ObjectReference = {
      kind: 'Pod', apiVersion: 'v1', namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '',
      uid: pod.metadata?.uid, resourceVersion: pod.metadata?.resourceVersion, ...(fieldPath ? { fieldPath } : {}),
    };
    this.recorder.event(ref, type, reason, message);
  }

  /** Waits until every queued event was written (tests, shutdown). */
  flush(): Promise<void> { return this.recorder.flush(); }
}
