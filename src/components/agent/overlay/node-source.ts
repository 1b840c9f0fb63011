// Where the overlay learns about Nodes and publishes its own annotations: an informer on Nodes through
// the Kubernetes API (the one informer, components/kube), and a merge patch of this Node's
// annotations, the way flanneld with --kube-subnet-mgr does. Any implementation of NodeSource works
// (the kernel tests drive the loop with Nodes held in memory).
import type { KubeConfig } from '@kubernetes/client-node';
import type { OverlayNode } from '../../../core/overlay/index.js';
import { KubeApiClient } from '../../kube/client.js';
import { Informer } from '../../kube/informer.js';

export interface NodeSource {
  /** Starts following Nodes; `onChange` is called after every add, update or delete. Resolves once the first list is in. */
  start(onChange: () => void): Promise<void>;
  /** The Nodes as last seen. */
  list(): readonly OverlayNode[];
  /** Merges `annotations` into the Node's metadata.annotations. */
  annotate(nodeName: string, annotations: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/** Nodes through the API server that `kc` points at. */
export function kubeNodeSource(kc: KubeConfig, log: (line: string) => void = () => {}): NodeSource {
  const client = new KubeApiClient(kc);
  const informer = new Informer(client, 'nodes', { log });
  return {
    async start(onChange) {
      // After a relist (watch expired, API server restarted) the differences arrive as adds, updates
      // and deletes, so the loop resyncs from them.
      informer.on({ add: () => onChange(), update: () => onChange(), delete: () => onChange() });
      await informer.start();
    },
    list: () => informer.list() as unknown as OverlayNode[],
    async annotate(nodeName, annotations) {
      await client.patch('nodes', undefined, nodeName, { metadata: { annotations } }, 'merge');
    },
    async stop() {
      informer.stop();
    },
  };
}
