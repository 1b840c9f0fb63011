// What the node's policy programmer watches through the Kubernetes API: every NetworkPolicy, every Pod
// (peers may run on any node) and every Namespace (namespaceSelector). List+watch informers from
// @kubernetes/client-node, restarted after a failed watch, as the service proxy's sources are.
import {
  CoreV1Api, KubeConfig, ListWatch, NetworkingV1Api, Watch, type KubernetesObject, type V1Namespace,
  type V1NetworkPolicy, type V1Pod,
} from '@kubernetes/client-node';
import type { Namespace, NetworkPolicy, Pod } from '../../../core/policy/index.js';
import { ListWatchFollower } from '../list-watch-follower.js';


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
 * A NetworkPolicy as the API writes it. Objects from a list are @kubernetes/client-node models, where an
 * ingress rule's `from` is the property `_from` (a reserved word in the generator); objects from a watch
 * are plain JSON. Without this, a policy the agent first saw in a list (an agent restart) would lose its
 * `from` and allow every source.
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
  const core = kc.makeApiClient(CoreV1Api);
  const networking = kc.makeApiClient(NetworkingV1Api);
  const watch = new Watch(kc);
  const policies = new ListWatch<V1NetworkPolicy>('/apis/networking.k8s.io/v1/networkpolicies', watch,
    () => networking.listNetworkPolicyForAllNamespaces(), false);
  const pods = new ListWatch<V1Pod>('/api/v1/pods', watch, () => core.listPodForAllNamespaces(), false);
  const namespaces = new ListWatch<V1Namespace>('/api/v1/namespaces', watch, () => core.listNamespace(), false);
  const all = [policies, pods, namespaces] as Array<ListWatch<KubernetesObject>>;
  const follower = new ListWatchFollower('network policy', log);

  return {
    async start(onChange) {
      follower.follow('networkpolicies', policies, onChange);
      follower.follow('pods', pods, onChange);
      follower.follow('namespaces', namespaces, onChange);
      await Promise.all(all.map((i) => i.start()));
      // Programming from a partial picture could open what a policy closes: wait for real lists.
      while (!all.every((i) => i.latestResourceVersion() !== '') && !follower.stopped) await new Promise((r) => setTimeout(r, 100));
    },
    policies: () => policies.list().map(apiShape),
    pods: () => pods.list() as unknown as Pod[],
    namespaces: () => namespaces.list() as unknown as Namespace[],
    async stop() {
      follower.stop();
      await Promise.all(all.map((i) => i.stop()));
    },
  };
}
