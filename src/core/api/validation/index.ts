// Validation of every kind podnet serves, as kube-apiserver 1.32 validates them on create and update,
// with upstream's field paths and detail messages so `kubectl` prints what a real cluster prints.
// Objects are validated after defaulting (defaults/), as the API server's strategies do.
import type { FieldError } from '../errors.js';
import type { KubeObject } from '../object.js';
import { validateAppsUpdate, validateDeployment, validateReplicaSet, validateScale } from './apps.js';
import {
  validateConfigMap, validateConfigMapUpdate, validateEvent, validateEventUpdate, validateNamespace, validateNamespaceUpdate,
  validateNode, validateNodeUpdate, validateSecret, validateSecretUpdate, validateServiceAccount,
} from './core-kinds.js';
import { validateEndpointSlice, validateEndpointSliceUpdate, validateEndpoints, validateEndpointsUpdate } from './endpoints.js';
import { validateObjectMetaUpdate } from './meta.js';
import {
  validateIngress, validateIngressClass, validateIngressClassUpdate, validateIngressUpdate, validateNetworkPolicy,
  validateNetworkPolicyUpdate,
} from './networking.js';
import { validatePod, validatePodUpdate } from './pod.js';
import {
  validateControllerRevision, validateControllerRevisionUpdate, validateDaemonSet, validateDaemonSetUpdate, validateStatefulSet,
  validateStatefulSetUpdate,
} from './apps-sets.js';
import { validateCronJob, validateCronJobUpdate, validateJob, validateJobUpdate } from './batch.js';
import { validateService, validateServiceUpdate } from './service.js';
import {
  validateClusterRole, validateClusterRoleBinding, validateClusterRoleBindingUpdate, validateClusterRoleUpdate, validateRole,
  validateRoleBinding, validateRoleBindingUpdate, validateRoleUpdate,
} from './rbac.js';

type Create = (o: KubeObject) => FieldError[];
type Update = (o: KubeObject, old: KubeObject) => FieldError[];

const CREATE: Record<string, Create> = {
  'v1/Pod': validatePod,
  'v1/Service': (o) => validateService(o),
  'v1/Endpoints': validateEndpoints,
  'v1/ConfigMap': validateConfigMap,
  'v1/Secret': validateSecret,
  'v1/ServiceAccount': validateServiceAccount,
  'v1/Namespace': validateNamespace,
  'v1/Node': validateNode,
  'v1/Event': validateEvent,
  'apps/v1/Deployment': validateDeployment,
  'apps/v1/ReplicaSet': validateReplicaSet,
  'apps/v1/DaemonSet': validateDaemonSet,
  'apps/v1/StatefulSet': validateStatefulSet,
  'apps/v1/ControllerRevision': validateControllerRevision,
  'batch/v1/Job': validateJob,
  'batch/v1/CronJob': validateCronJob,
  'discovery.k8s.io/v1/EndpointSlice': (o) => validateEndpointSlice(o),
  'networking.k8s.io/v1/Ingress': (o) => validateIngress(o, true),
  'networking.k8s.io/v1/IngressClass': validateIngressClass,
  'networking.k8s.io/v1/NetworkPolicy': validateNetworkPolicy,
  'autoscaling/v1/Scale': validateScale,
  'rbac.authorization.k8s.io/v1/Role': validateRole,
  'rbac.authorization.k8s.io/v1/ClusterRole': validateClusterRole,
  'rbac.authorization.k8s.io/v1/RoleBinding': validateRoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': validateClusterRoleBinding,
};

const UPDATE: Record<string, Update> = {
  'v1/Pod': validatePodUpdate,
  'v1/Service': validateServiceUpdate,
  'v1/Endpoints': validateEndpointsUpdate,
  'v1/ConfigMap': validateConfigMapUpdate,
  'v1/Secret': validateSecretUpdate,
  'v1/ServiceAccount': (o, old) => [...validateObjectMetaUpdate(o, old), ...validateServiceAccount(o)],
  'v1/Namespace': validateNamespaceUpdate,
  'v1/Node': validateNodeUpdate,
  'v1/Event': validateEventUpdate,
  'apps/v1/Deployment': validateAppsUpdate,
  'apps/v1/ReplicaSet': validateAppsUpdate,
  'apps/v1/DaemonSet': validateDaemonSetUpdate,
  'apps/v1/StatefulSet': validateStatefulSetUpdate,
  'apps/v1/ControllerRevision': validateControllerRevisionUpdate,
  'batch/v1/Job': validateJobUpdate,
  'batch/v1/CronJob': validateCronJobUpdate,
  'discovery.k8s.io/v1/EndpointSlice': validateEndpointSliceUpdate,
  'networking.k8s.io/v1/Ingress': validateIngressUpdate,
  'networking.k8s.io/v1/IngressClass': validateIngressClassUpdate,
  'networking.k8s.io/v1/NetworkPolicy': validateNetworkPolicyUpdate,
  'autoscaling/v1/Scale': (o) => validateScale(o),
  'rbac.authorization.k8s.io/v1/Role': validateRoleUpdate,
  'rbac.authorization.k8s.io/v1/ClusterRole': validateClusterRoleUpdate,
  'rbac.authorization.k8s.io/v1/RoleBinding': validateRoleBindingUpdate,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': validateClusterRoleBindingUpdate,
};

const kindKey = (o: KubeObject) => `${o.apiVersion}/${o.kind}`;

/** The field errors kube-apiserver reports when this (defaulted) object is created; [] when it is valid. */
export function validateCreate(obj: KubeObject): FieldError[] {
  const fn = CREATE[kindKey(obj)];
  return fn ? fn(withMetadata(obj)) : [];
}

/** The field errors of an update from `old` to `obj`: the create rules plus what may not change. */
export function validateUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const fn = UPDATE[kindKey(obj)];
  return fn ? fn(withMetadata(obj), withMetadata(old)) : [];
}

/** Kinds this module validates, as `apiVersion/kind`. */
export const VALIDATED_KINDS: readonly string[] = Object.keys(CREATE);

function withMetadata(o: KubeObject): KubeObject {
  return o.metadata && typeof o.metadata === 'object' ? o : { ...o, metadata: {} };
}

export {
  isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPortName, ipFamily, ipErrors, cidrErrors,
} from './formats.js';
