// A container's environment, resolved as kubelet's makeEnvironmentVariables does: envFrom (ConfigMaps and
// Secrets, with prefix), then env in order, each value expanded with $(VAR) references to what is
// defined so far ($$ escapes), fieldRef (pod metadata, spec and status fields), resourceFieldRef, and
// configMapKeyRef / secretKeyRef. A missing ConfigMap, Secret or key that is not optional is an error
// that keeps the container waiting with CreateContainerConfigError, with kubelet's message.
import { parseQuantity as parseApiQuantity } from '../../../core/api/validation/resources.js';
import type { V1Container, V1Pod } from '@kubernetes/client-node';

export interface EnvSources {
  /** A ConfigMap's data, or undefined when it does not exist. */
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** A Secret's data (decoded), or undefined when it does not exist. */
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /**
   * Variables every container starts with before envFrom and env: the Service links
   * (`<SVC>_SERVICE_HOST`, ... with enableServiceLinks, and KUBERNETES_SERVICE_* always). The Services
   * issue provides them; until then this returns {}.
   */
  serviceEnv(pod: V1Pod): Promise<Record<string, string>>;
}

export interface NodeFacts {
  nodeName: string;
  hostIP: string;
  /** Node allocatable, used for resourceFieldRef limits when the container sets none (as kubelet). */
  allocatableCpu: number;
  allocatableMemoryBytes: number;
}

export class EnvConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
  constructor(message: string) { super(message); this.name = 'EnvConfigError'; }
}

/** Expands $(VAR) from `env`; $$ is a literal $; an unknown reference stays as written (Kubernetes' expansion). */
export function expand(input: string, env: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) { out += c; continue; }
    const n = input[i + 1];
    if (n === '$') { out += '$'; i++; continue; }
    if (n === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) { out += input.slice(i); break; }
      const name = input.slice(i + 2, close);
      out += Object.prototype.hasOwnProperty.call(env, name) ? env[name] : `$(${name})`;
      i = close;
      continue;
    }
    out += c;
  }
  return out;
}

/** metadata.labels['app'] style paths: the key inside the brackets. */
function subscript(path: string, field: string): string | undefined {
  const m = new RegExp(`^${field.replace('.', '\\.')}\\['(.*)'\\]$`).exec(path);
  return m ? m[1] : undefined;
}

/** The value of a downward-API fieldRef, as kubelet's podFieldSelectorRuntimeValue + ExtractFieldPathAsString. */
export function fieldRefValue(pod: V1Pod, fieldPath: string, node: NodeFacts, podIPs: string[]): string {
  const meta = pod.metadata ?? {};
  switch (fieldPath) {
    case 'metadata.name': return meta.name ?? '';
    case 'metadata.namespace': return meta.namespace ?? 'default';
    case 'metadata.uid': return meta.uid ?? '';
    case 'spec.nodeName': return pod.spec?.nodeName ?? node.nodeName;
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? 'default';
    case 'status.hostIP': return node.hostIP;
    case 'status.hostIPs': return node.hostIP;
    case 'status.podIP': return podIPs[0] ?? '';
    case 'status.podIPs': return podIPs.join(',');
    case 'metadata.labels': return Object.entries(meta.labels ?? {}).sort().map(([k, v]) => `${k}="${v}"`).join('\n');
    case 'metadata.annotations': return Object.entries(meta.annotations ?? {}).sort().map(([k, v]) => `${k}="${v}"`).join('\n');
  }
  const label = subscript(fieldPath, 'metadata.labels');
  if (label !== undefined) return meta.labels?.[label] ?? '';
  const annotation = subscript(fieldPath, 'metadata.annotations');
  if (annotation !== undefined) return meta.annotations?.[annotation] ?? '';
  throw new EnvConfigError(`unsupported fieldPath: ${fieldPath}`);
}

/** Quantity text to a number of base units ("500m" → 0.5, "64Mi" → 67108864). */
/** A quantity (`500m`, `1Gi`, `1e3`) as the API server reads it; an unreadable one keeps the container waiting. */
export function parseQuantity(q: string): number {
  const n = parseApiQuantity(q);
  if (n === undefined) throw new EnvConfigError(`invalid quantity ${JSON.stringify(q)}`);
  return n;
}

/** resourceFieldRef: requests/limits of the container, limits defaulting to node allocatable; ceil(value/divisor). */
export function resourceFieldValue(container: V1Container, resource: string, divisor: string | undefined, node: NodeFacts): string {
  const [kind, name] = resource.split('.');
  const set = kind === 'limits' ? container.resources?.limits : kind === 'requests' ? container.resources?.requests : undefined;
  const given = set?.[name];
  let value: number;
  if (given !== undefined) value = parseQuantity(String(given));
  else if (name === 'cpu') value = kind === 'limits' ? node.allocatableCpu : 0;
  else if (name === 'memory') value = kind === 'limits' ? node.allocatableMemoryBytes : 0;
  else if (name === 'ephemeral-storage') value = 0;
  else throw new EnvConfigError(`unsupported container resource: ${resource}`);
  const d = divisor ? parseQuantity(divisor) : 1;
  return String(Math.ceil(value / (d || 1)));
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * The container's environment as an ordered record. Throws EnvConfigError with kubelet's message when a
 * referenced ConfigMap, Secret or key is missing and not optional.
 */
export async function resolveEnv(pod: V1Pod, container: V1Container, node: NodeFacts, podIPs: string[], sources: EnvSources): Promise<{ env: Record<string, string>; warnings: string[] }> {
  const ns = pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = { ...(await sources.serviceEnv(pod)) };
  const warnings: string[] = [];

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string> | undefined;
    if (from.configMapRef) {
      data = await sources.configMap(ns, from.configMapRef.name ?? '');
      if (!data && !from.configMapRef.optional) throw new EnvConfigError(`configmap "${from.configMapRef.name}" not found`);
    } else if (from.secretRef) {
      data = await sources.secret(ns, from.secretRef.name ?? '');
      if (!data && !from.secretRef.optional) throw new EnvConfigError(`secret "${from.secretRef.name}" not found`);
    }
    const invalid: string[] = [];
    for (const [k, v] of Object.entries(data ?? {})) {
      const name = prefix + k;
      if (!ENV_NAME.test(name)) { invalid.push(k); continue; }
      env[name] = v;
    }
    if (invalid.length) {
      const what = from.configMapRef ? `configMap ${ns}/${from.configMapRef.name}` : `secret ${ns}/${from.secretRef?.name}`;
      warnings.push(`Keys [${invalid.sort().join(', ')}] from the EnvFrom ${what} were skipped since they are considered invalid environment variable names.`);
    }
  }

  for (const e of container.env ?? []) {
    const v = e.valueFrom;
    if (!v) { env[e.name] = expand(e.value ?? '', env); continue; }
    if (v.fieldRef) { env[e.name] = fieldRefValue(pod, v.fieldRef.fieldPath, node, podIPs); continue; }
    if (v.resourceFieldRef) {
      const target = v.resourceFieldRef.containerName
        ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === v.resourceFieldRef!.containerName) ?? container
        : container;
      env[e.name] = resourceFieldValue(target, v.resourceFieldRef.resource, v.resourceFieldRef.divisor as string | undefined, node);
      continue;
    }
    if (v.configMapKeyRef) {
      const { name = '', key, optional } = v.configMapKeyRef;
      const data = await sources.configMap(ns, name);
      if (!data) { if (optional) continue; throw new EnvConfigError(`configmap "${name}" not found`); }
      if (!(key in data)) { if (optional) continue; throw new EnvConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`); }
      env[e.name] = data[key];
      continue;
    }
    if (v.secretKeyRef) {
      const { name = '', key, optional } = v.secretKeyRef;
      const data = await sources.secret(ns, name);
      if (!data) { if (optional) continue; throw new EnvConfigError(`secret "${name}" not found`); }
      if (!(key in data)) { if (optional) continue; throw new EnvConfigError(`couldn't find key ${key} in Secret ${ns}/${name}`); }
      env[e.name] = data[key];
    }
  }
  return { env, warnings };
}
