// Defaulting, as kube-apiserver 1.32 applies it to each kind when it decodes a request (the v1
// SetDefaults_* functions) together with the defaults a stock API server's strategies and admission
// plugins add on create. Mutates in place; applying it twice changes nothing the second time.
// ClusterIP and NodePort allocation are not defaults: the server's allocator does them.
import type { JsonObject, KubeObject } from '../object.js';
import { defaultPod, defaultPodTemplate, type TolerationSeconds } from './pod.js';
import { defaultCronJob, defaultDaemonSet, defaultJob, defaultStatefulSet } from './workloads.js';

export { defaultPodSpec, imageTag } from './pod.js';

export interface DefaultOptions {
  /**
   * True when the object is being created. Strategy defaults that only apply on create (a Namespace's
   * `kubernetes` finalizer) use it. When absent, an object without a resourceVersion counts as new.
   */
  create?: boolean;
  /** kube-apiserver's DefaultTolerationSeconds admission settings (300 s each unless configured). */
  tolerationSeconds?: TolerationSeconds;
}

const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObj) : []);
const spec = (o: JsonObject): JsonObject => (isObj(o.spec) ? o.spec : (o.spec = {}));

function defaultService(o: JsonObject): void {
  const s = spec(o);
  if (!s.sessionAffinity) s.sessionAffinity = 'None';
  if (s.sessionAffinity === 'None') delete s.sessionAffinityConfig;
  if (s.sessionAffinity === 'ClientIP') {
    const t = s.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (t === undefined || t === null) s.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!s.type) s.type = 'ClusterIP';
  for (const p of list(s.ports)) {
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const externallyAccessible = s.type === 'LoadBalancer' || s.type === 'NodePort' ||
    (s.type === 'ClusterIP' && Array.isArray(s.externalIPs) && s.externalIPs.length > 0);
  if (externallyAccessible && !s.externalTrafficPolicy) s.externalTrafficPolicy = 'Cluster';
  if ((s.internalTrafficPolicy === undefined || s.internalTrafficPolicy === null) && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(s.type)) {
    s.internalTrafficPolicy = 'Cluster';
  }
  if (s.type === 'LoadBalancer') {
    if (s.allocateLoadBalancerNodePorts === undefined || s.allocateLoadBalancerNodePorts === null) s.allocateLoadBalancerNodePorts = true;
    // LoadBalancerIPMode (beta, on): an ingress IP without a mode is a VIP.
    for (const ing of list(o.status?.loadBalancer?.ingress)) if (ing.ip && !ing.ipMode) ing.ipMode = 'VIP';
  }
}

function defaultDeployment(o: JsonObject): void {
  const s = spec(o);
  if (s.replicas === undefined || s.replicas === null) s.replicas = 1;
  if (!isObj(s.strategy)) s.strategy = {};
  if (!s.strategy.type) s.strategy.type = 'RollingUpdate';
  if (s.strategy.type === 'RollingUpdate') {
    if (!isObj(s.strategy.rollingUpdate)) s.strategy.rollingUpdate = {};
    const ru = s.strategy.rollingUpdate;
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = '25%';
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = '25%';
  }
  if (s.revisionHistoryLimit === undefined || s.revisionHistoryLimit === null) s.revisionHistoryLimit = 10;
  if (s.progressDeadlineSeconds === undefined || s.progressDeadlineSeconds === null) s.progressDeadlineSeconds = 600;
  if (!isObj(s.template)) s.template = {};
  defaultPodTemplate(s.template);
}

function defaultReplicaSet(o: JsonObject): void {
  const s = spec(o);
  if (s.replicas === undefined || s.replicas === null) s.replicas = 1;
  if (!isObj(s.template)) s.template = {};
  defaultPodTemplate(s.template);
}

function defaultNamespace(o: JsonObject, create: boolean): void {
  // SetDefaults_Namespace: every named namespace carries its name as an immutable label.
  if (o.metadata.name) o.metadata.labels = { ...(isObj(o.metadata.labels) ? o.metadata.labels : {}), 'kubernetes.io/metadata.name': o.metadata.name };
  // The namespace strategy's PrepareForCreate: the namespace controller must empty it before deletion.
  if (create) {
    const s = spec(o);
    if (!Array.isArray(s.finalizers) || !s.finalizers.includes('kubernetes')) s.finalizers = [...(Array.isArray(s.finalizers) ? s.finalizers : []), 'kubernetes'];
  }
  if (!isObj(o.status)) o.status = {};
  if (!o.status.phase) o.status.phase = 'Active';
}

function defaultNetworkPolicy(o: JsonObject): void {
  const s = spec(o);
  for (const rule of [...list(s.ingress), ...list(s.egress)]) for (const p of list(rule.ports)) if (!p.protocol) p.protocol = 'TCP';
  if (!Array.isArray(s.policyTypes) || s.policyTypes.length === 0) {
    // No policyTypes means Ingress, plus Egress when the policy has egress rules.
    s.policyTypes = Array.isArray(s.egress) && s.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

function defaultSecret(o: JsonObject): void {
  if (!o.type) o.type = 'Opaque';
  // Conversion from v1 merges stringData into data (base64), which is what the server stores.
  if (isObj(o.stringData)) {
    const data = isObj(o.data) ? o.data : {};
    for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    o.data = data;
    delete o.stringData;
  }
}

function defaultNode(o: JsonObject): void {
  const st = o.status;
  if (isObj(st) && isObj(st.capacity) && !isObj(st.allocatable)) st.allocatable = { ...st.capacity };
}

/** SetDefaults_RoleBinding / _ClusterRoleBinding / _Subject: the RBAC group where a client left it out. */
function defaultRbacBinding(o: JsonObject): void {
  const group = 'rbac.authorization.k8s.io';
  if (isObj(o.roleRef) && !o.roleRef.apiGroup) o.roleRef.apiGroup = group;
  for (const s of list(o.subjects)) if (!s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = group;
}

const DEFAULTERS: Record<string, (o: JsonObject, create: boolean, opts: DefaultOptions) => void> = {
  'v1/Pod': (o, _create, opts) => defaultPod(o, opts.tolerationSeconds),
  'v1/Service': defaultService,
  'v1/Endpoints': (o) => { for (const ss of list(o.subsets)) for (const p of list(ss.ports)) if (!p.protocol) p.protocol = 'TCP'; },
  'v1/Secret': defaultSecret,
  'v1/Namespace': defaultNamespace,
  'v1/Node': defaultNode,
  'apps/v1/Deployment': defaultDeployment,
  'apps/v1/ReplicaSet': defaultReplicaSet,
  'apps/v1/DaemonSet': defaultDaemonSet,
  'apps/v1/StatefulSet': defaultStatefulSet,
  'batch/v1/Job': defaultJob,
  'batch/v1/CronJob': defaultCronJob,
  'discovery.k8s.io/v1/EndpointSlice': (o) => {
    for (const p of list(o.ports)) {
      if (p.name === undefined || p.name === null) p.name = '';
      if (!p.protocol) p.protocol = 'TCP';
    }
  },
  'networking.k8s.io/v1/NetworkPolicy': defaultNetworkPolicy,
  'networking.k8s.io/v1/IngressClass': (o) => {
    const params = o.spec?.parameters;
    if (isObj(params) && !params.scope) params.scope = 'Cluster';
  },
  'rbac.authorization.k8s.io/v1/RoleBinding': defaultRbacBinding,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': defaultRbacBinding,
  // Ingress, ConfigMap, ServiceAccount, core/v1 Event, Role and ClusterRole have no defaults in 1.32.
};

/** Applies kube-apiserver's defaults for the object's kind, in place. Unknown kinds are left alone. */
export function defaultObject(obj: KubeObject, opts: DefaultOptions = {}): void {
  const fn = DEFAULTERS[`${obj.apiVersion}/${obj.kind}`];
  if (!fn) return;
  if (!isObj(obj.metadata)) obj.metadata = {};
  const create = opts.create ?? !obj.metadata.resourceVersion;
  fn(obj as JsonObject, create, opts);
}
