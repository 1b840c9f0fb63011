// The bootstrap RBAC policy kube-apiserver creates at start (its rbac/bootstrap-roles post-start hook),
// reduced to what describes podnet's one user: the cluster-admin ClusterRole and its binding to
// system:masters. Created when missing, never overwritten (a user may edit them, as upstream allows with
// the autoupdate annotation set to false).
import { isApiError } from '../../core/api/errors.js';
import type { ApiClient } from '../../core/api/client.js';
import type { KubeObject } from '../../core/api/object.js';

const META = {
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
};

export const BOOTSTRAP_RBAC: readonly KubeObject[] = [
  {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cluster-admin', ...META },
    rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'cluster-admin', ...META },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }],
  },
];

export async function ensureBootstrapRbac(client: Pick<ApiClient, 'create'>): Promise<void> {
  for (const o of BOOTSTRAP_RBAC) {
    const resource = o.kind === 'ClusterRole' ? 'clusterroles.rbac.authorization.k8s.io' : 'clusterrolebindings.rbac.authorization.k8s.io';
    try {
      await client.create(resource, structuredClone(o));
    } catch (e) {
      if (!isApiError(e, 'AlreadyExists')) throw e;
    }
  }
}
