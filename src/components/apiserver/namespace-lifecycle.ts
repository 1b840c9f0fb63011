// The NamespaceLifecycle admission plugin: objects may only be created in a namespace that exists and
// is not being deleted, and the namespaces the cluster itself needs may not be deleted, as kube-apiserver
// enforces.
import { ApiError, forbiddenError, notFoundError } from '../../core/api/errors.js';

const IMMORTAL = ['default', 'kube-system', 'kube-public'];
import { mustResource } from '../../core/api/resources.js';
import type { ApiClient } from '../../core/api/client.js';
import type { AdmissionAttributes, AdmissionPlugin } from './admission.js';

export class NamespaceLifecycle implements AdmissionPlugin {
  readonly name = 'NamespaceLifecycle';

  constructor(private readonly client: Pick<ApiClient, 'get'>) {}

  async admit(attrs: AdmissionAttributes): Promise<void> {
    if (attrs.operation === 'DELETE' && attrs.info.kind === 'Namespace' && IMMORTAL.includes(attrs.oldObject!.metadata.name!)) {
      throw forbiddenError(attrs.info, attrs.oldObject!.metadata.name!, 'this namespace may not be deleted');
    }
    if (attrs.operation !== 'CREATE' || !attrs.info.namespaced) return;
    const ns = attrs.object.metadata.namespace!;
    const namespace = await this.client.get('namespaces', undefined, ns);
    if (!namespace) throw notFoundError(mustResource('namespaces'), ns);
    // Events may still be written while a namespace terminates (the controllers report on its deletion).
    if (namespace.metadata.deletionTimestamp && attrs.info.kind !== 'Event') {
      throw new ApiError({
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden',
        message: `${attrs.info.resource} "${attrs.object.metadata.name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        details: { name: attrs.object.metadata.name, kind: attrs.info.resource,
          causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }] },
      });
    }
  }
}
