// The two writes a pod worker makes to its Pod, as kubelet's status manager and pod deletion do: the
// status subresource (a merge patch of the whole status, sent only when it changed; reason and message
// cleared explicitly when they no longer apply), and the final delete with gracePeriodSeconds=0 and a
// uid precondition once everything on the node is gone.
import { ApiException, PatchStrategy, setHeaderOptions, type CoreV1Api, type V1PodStatus } from '@kubernetes/client-node';

const codeOf = (e: unknown) => (e instanceof ApiException ? e.code : undefined);

export class PodApi {
  /** The status last written (or read with the pod): conditions keep their transition times from it. */
  lastStatus?: V1PodStatus;
  private lastJson = '';

  constructor(private readonly core: CoreV1Api, readonly namespace: string, readonly name: string, readonly uid: string, status?: V1PodStatus) {
    this.lastStatus = status;
  }

  async patchStatus(status: V1PodStatus): Promise<void> {
    const json = JSON.stringify(status);
    if (json === this.lastJson) return;
    const body = { status: { ...JSON.parse(json), reason: status.reason ?? null, message: status.message ?? null } };
    try {
      await this.core.patchNamespacedPodStatus({ name: this.name, namespace: this.namespace, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      this.lastJson = json;
      this.lastStatus = status;
    } catch (e) {
      if (codeOf(e) === 404) return; // the pod is gone; its DELETE event follows
      throw e;
    }
  }

  /**
   * The pod as the API has it now. When someone else changed its conditions (the node lifecycle
   * controller marks a silent node's pods not Ready), the next sync writes ours again even if they did
   * not change here, as kubelet's status manager reconciles the API with what it knows.
   */
  observe(status: V1PodStatus | undefined): void {
    if (this.lastStatus && status && conditionsKey(status) !== conditionsKey(this.lastStatus)) this.lastJson = '';
  }

  async deleteNow(): Promise<void> {
    try {
      await this.core.deleteNamespacedPod({ name: this.name, namespace: this.namespace, body: { gracePeriodSeconds: 0, preconditions: { uid: this.uid } } });
    } catch (e) {
      // Gone already, or the name now belongs to a new pod (uid precondition): nothing left to delete.
      if (codeOf(e) !== 404 && codeOf(e) !== 409) throw e;
    }
  }
}

/** The pod's conditions by type and status, e.g. "Ready=True,PodScheduled=True". */
function conditionsKey(status: V1PodStatus): string {
  return (status.conditions ?? []).map((c) => `${c.type}=${c.status}`).sort().join(',');
}
