// Merge strategies per kind: the `patchStrategy` and `patchMergeKey` struct tags of kubernetes/api v0.32 (and
// apimachinery's ObjectMeta), which kube-apiserver reads by reflection when it applies a strategic merge patch.
//
// Only fields that lead to a tagged list are spelled out. Every other field is "opaque": objects merge key by
// key and lists are replaced, which is what an untagged Go field does. (Upstream also fails with `unable to
// find api field in struct X` when patch and object both carry an object or list under a field the struct
// lacks; podnet's decoder drops unknown fields before objects are stored, so that case cannot arise here.)
//
// The tables were checked against the kubectl 1.32 on this machine, which compiles in the same structs:
// `kubectl patch --local --type strategic` merges exactly the lists below and replaces the others
// (strategic.oracle.test.ts). Notable untagged lists: Node spec.taints, Pod spec.tolerations,
// spec.readinessGates, containers[].envFrom/resizePolicy/command/args, every list of Ingress, NetworkPolicy,
// Endpoints and EndpointSlice.

export interface FieldMeta {
  /** `patchStrategy`: merge the list (by mergeKey, or as a set of primitives), or replace the object whole. */
  readonly strategy?: 'merge' | 'replace';
  /** `patchStrategy` also holds `retainKeys` (union types): clients send `$retainKeys` for these fields. */
  readonly retainKeys?: boolean;
  /** `patchMergeKey`: the field that identifies an element of a merging list of objects. */
  readonly mergeKey?: string;
  /**
   * `+listMapKey` where it names more fields than the merge key: server-side apply identifies an item by
   * all of them (a container port by containerPort and protocol), a strategic merge patch by mergeKey.
   */
  readonly listMapKeys?: readonly string[];
  /** The struct the field holds (object fields) or its elements are (list fields), if it has tagged fields. */
  readonly schema?: StructSchema;
}

export interface StructSchema {
  readonly name: string;
  readonly fields: Readonly<Record<string, FieldMeta>>;
}

/** A struct with no tagged fields anywhere below it. */
export const OPAQUE: StructSchema = { name: 'opaque', fields: {} };
const NO_STRATEGY: FieldMeta = {};

/** The merge metadata of `key` in `schema`, and the struct it leads to. */
export function lookupField(schema: StructSchema, key: string): { meta: FieldMeta; schema: StructSchema } {
  const meta = Object.hasOwn(schema.fields, key) ? schema.fields[key] : NO_STRATEGY;
  return { meta, schema: meta.schema ?? OPAQUE };
}

const struct = (name: string, fields: Record<string, FieldMeta>): StructSchema => ({ name, fields });
const mergeBy = (mergeKey: string, schema?: StructSchema, retainKeys = false, listMapKeys?: string[]): FieldMeta =>
  ({ strategy: 'merge', mergeKey, schema, retainKeys, listMapKeys });
/** A list of primitives with patchStrategy merge: it behaves as a set. */
const mergeSet: FieldMeta = { strategy: 'merge' };
const nested = (schema: StructSchema): FieldMeta => ({ schema });

// apimachinery pkg/apis/meta/v1/types.go
export const OBJECT_META = struct('ObjectMeta', {
  finalizers: mergeSet,
  ownerReferences: mergeBy('uid'),
});

// core/v1 Container and EphemeralContainerCommon carry the same tags.
const CONTAINER = struct('Container', {
  ports: mergeBy('containerPort', undefined, false, ['containerPort', 'protocol']),
  env: mergeBy('name'),
  volumeMounts: mergeBy('mountPath'),
  volumeDevices: mergeBy('devicePath'),
});

export const POD_SPEC = struct('PodSpec', {
  volumes: mergeBy('name', undefined, true),
  initContainers: mergeBy('name', CONTAINER),
  containers: mergeBy('name', CONTAINER),
  ephemeralContainers: mergeBy('name', CONTAINER),
  imagePullSecrets: mergeBy('name'),
  hostAliases: mergeBy('ip'),
  topologySpreadConstraints: mergeBy('topologyKey', undefined, false, ['topologyKey', 'whenUnsatisfiable']),
  schedulingGates: mergeBy('name'),
  resourceClaims: mergeBy('name', undefined, true),
});

const POD_STATUS = struct('PodStatus', {
  conditions: mergeBy('type'),
  podIPs: mergeBy('ip'),
  hostIPs: mergeBy('ip'),
  resourceClaimStatuses: mergeBy('name', undefined, true),
});

const POD_TEMPLATE_SPEC = struct('PodTemplateSpec', { metadata: nested(OBJECT_META), spec: nested(POD_SPEC) });

/** Status structs whose only tagged field is `conditions`, merged by `type`. */
const conditionsStatus = (name: string): StructSchema => struct(name, { conditions: mergeBy('type') });

/** A top-level kind: metadata is always ObjectMeta. */
const kind = (name: string, fields: Record<string, FieldMeta> = {}): StructSchema =>
  struct(name, { metadata: nested(OBJECT_META), ...fields });

const SCHEMAS: Readonly<Record<string, StructSchema>> = {
  'v1/Pod': kind('Pod', { spec: nested(POD_SPEC), status: nested(POD_STATUS) }),
  'v1/Service': kind('Service', {
    spec: nested(struct('ServiceSpec', { ports: mergeBy('port', undefined, false, ['port', 'protocol']) })),
    status: nested(conditionsStatus('ServiceStatus')),
  }),
  'v1/Node': kind('Node', {
    spec: nested(struct('NodeSpec', { podCIDRs: mergeSet })),
    status: nested(struct('NodeStatus', { conditions: mergeBy('type'), addresses: mergeBy('type') })),
  }),
  'v1/Namespace': kind('Namespace', { status: nested(conditionsStatus('NamespaceStatus')) }),
  'v1/ServiceAccount': kind('ServiceAccount', { secrets: mergeBy('name') }),
  'v1/Endpoints': kind('Endpoints'),
  'v1/ConfigMap': kind('ConfigMap'),
  'v1/Secret': kind('Secret'),
  'v1/Event': kind('Event'),
  'apps/v1/Deployment': kind('Deployment', {
    spec: nested(struct('DeploymentSpec', {
      template: nested(POD_TEMPLATE_SPEC),
      // patchStrategy:"retainKeys": switching type to Recreate drops rollingUpdate when clients send $retainKeys.
      strategy: { retainKeys: true },
    })),
    status: nested(conditionsStatus('DeploymentStatus')),
  }),
  'apps/v1/ReplicaSet': kind('ReplicaSet', {
    spec: nested(struct('ReplicaSetSpec', { template: nested(POD_TEMPLATE_SPEC) })),
    status: nested(conditionsStatus('ReplicaSetStatus')),
  }),
  'apps/v1/DaemonSet': kind('DaemonSet', {
    spec: nested(struct('DaemonSetSpec', { template: nested(POD_TEMPLATE_SPEC) })),
    status: nested(conditionsStatus('DaemonSetStatus')),
  }),
  'apps/v1/StatefulSet': kind('StatefulSet', {
    spec: nested(struct('StatefulSetSpec', { template: nested(POD_TEMPLATE_SPEC) })),
    status: nested(conditionsStatus('StatefulSetStatus')),
  }),
  'apps/v1/ControllerRevision': kind('ControllerRevision'),
  'batch/v1/Job': kind('Job', {
    spec: nested(struct('JobSpec', { template: nested(POD_TEMPLATE_SPEC) })),
    status: nested(conditionsStatus('JobStatus')),
  }),
  'batch/v1/CronJob': kind('CronJob', {
    spec: nested(struct('CronJobSpec', {
      jobTemplate: nested(struct('JobTemplateSpec', {
        metadata: nested(OBJECT_META),
        spec: nested(struct('JobSpec', { template: nested(POD_TEMPLATE_SPEC) })),
      })),
    })),
    status: nested(struct('CronJobStatus', {})),
  }),
  'discovery.k8s.io/v1/EndpointSlice': kind('EndpointSlice'),
  'networking.k8s.io/v1/Ingress': kind('Ingress'),
  'networking.k8s.io/v1/IngressClass': kind('IngressClass'),
  'networking.k8s.io/v1/NetworkPolicy': kind('NetworkPolicy'),
  'autoscaling/v1/Scale': kind('Scale'),
};

/** The merge strategies of a kind, or undefined for a kind without a Go struct (a strategic patch gets 415). */
export function schemaFor(apiVersion: string, kindName: string): StructSchema | undefined {
  const key = `${apiVersion}/${kindName}`;
  return Object.hasOwn(SCHEMAS, key) ? SCHEMAS[key] : undefined;
}

/** Every `apiVersion/Kind` with a schema, for tests that check coverage of the resource registry. */
export function schemaKinds(): string[] {
  return Object.keys(SCHEMAS);
}
