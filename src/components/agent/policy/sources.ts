// What the node's policy programmer watches through the Kubernetes API: every NetworkPolicy, every Pod
// (peers may run on any node) and every Namespace (namespaceSelector). The one informer
// (components/kube), as the service proxy's sources.
import type { KubeConfig, V1NetworkPolicy } from '@kubernetes/client-node';
import type { Namespace, NetworkPolicy, Pod } from '../../../core/policy/index.js';
import { KubeApiClient } from '../../kube/client.js';
import { Informer } from '../../kube/informer.js';


export type PolicySourceKind = 'networkpolicies' | 'pods' | 'namespaces';

export interface PolicySources {
  /** Starts the informers; `onChange` after every add/update/delete. Resolves once all three have listed. */
  start(onChange: (kind: PolicySourceKind) => void): Promise<void>;
  policies(): NetworkPolicy[];
  pods(): Pod[];
  namespaces(): Namespace[];
  stop(): Promise<void>;
}

const shaped = new WeakMap<object, NetworkPolicy>();

/**
 * A NetworkPolicy as the API writes it. The informer hands out plain API JSON; a @kubernetes/client-node
 * model (from a typed list call) names an ingress rule's `from` `_from` (a reserved word in the
 * generator), and without this such a policy would lose its `from` and allow every source.
 */
export function apiShape(np: V1NetworkPolicy): NetworkPolicy {
  let out = shaped.get(np);
  if (out) return out;
  const spec = np.spec;
  const ingress = spec?.ingress?.map((r) => {
    const { _from, ...rest } = r as typeof r & { _from?: unknown };
    return _from === undefined ? r : { ...rest, from: _from };
  });
  out = (spec && ingress ? { ...np, spec: { ...spec, ingress } } : np) as unknown as NetworkPolicy;
  shaped.set(np, out);
  return out;
}

export function kubePolicySources(kc: KubeConfig, log: (line: string) => void = () => {}): PolicySources {
  const client = new KubeApiClient(kc);
  const prefixed = (line: string) => log(`network policy: ${line}`);
  const policies = new Informer(client, 'networkpolicies.networking.k8s.io', { log: prefixed });
  const pods = new Informer(client, 'pods', { log: prefixed });
  const namespaces = new Informer(client, 'namespaces', { log: prefixed });
  const all: Array<[PolicySourceKind, Informer]> = [['networkpolicies', policies], ['pods', pods], ['namespaces', namespaces]];

  return {
    async start(onChange) {
      for (const [kind, inf] of all) inf.on({ add: () => onChange(kind), update: () => onChange(kind), delete: () => onChange(kind) });
      // Programming from a partial picture could open what a policy closes: resolves once all have listed.
      await Promise.all(all.map(([, inf]) => inf.start()));
    },
    policies: () => policies.list().map((np) => apiShape(np as unknown as V1NetworkPolicy)),
    pods: () => pods.list() as unknown as Pod[],
    namespaces: () => namespaces.list() as unknown as Namespace[],
    async stop() {
      for (const [, inf] of all) inf.stop();
    },
  };
}
