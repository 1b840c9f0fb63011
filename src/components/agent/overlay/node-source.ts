// Where the overlay learns about Nodes and publishes its own annotations: an informer on Nodes through
// the Kubernetes API (list+watch, @kubernetes/client-node), and a merge patch of this Node's
// annotations, the way flanneld with --kube-subnet-mgr does. Any implementation of NodeSource works
// (the kernel tests drive the loop with Nodes held in memory).
import {
  CoreV1Api, KubeConfig, PatchStrategy, makeInformer, setHeaderOptions, type V1Node,
} from '@kubernetes/client-node';
import type { OverlayNode } from '../../../core/overlay/index.js';

export interface NodeSource {
  /** Starts following Nodes; `onChange` is called after every add, update or delete. Resolves once the first list is in. */
  start(onChange: () => void): Promise<void>;
  /** The Nodes as last seen. */
  list(): readonly OverlayNode[];
  /** Merges `annotations` into the Node's metadata.annotations. */
  annotate(nodeName: string, annotations: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

const RESTART_AFTER_ERROR_MS = 2_000;

/** Nodes through the API server that `kc` points at. */
export function kubeNodeSource(kc: KubeConfig, log: (line: string) => void = () => {}): NodeSource {
  const core = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Node>(kc, '/api/v1/nodes', () => core.listNode());
  let stopped = false;
  let restart: NodeJS.Timeout | undefined;
  return {
    async start(onChange) {
      for (const ev of ['add', 'update', 'delete'] as const) informer.on(ev, () => onChange());
      // The informer stops on a watch error (API server restarting); start it again, as client-go's
      // reflector does, and tell the loop to resync from the relisted cache.
      informer.on('error', (err: unknown) => {
        if (stopped) return;
        log(`node watch failed (${(err as Error)?.message ?? err}); listing and watching again in ${RESTART_AFTER_ERROR_MS} ms`);
        restart = setTimeout(() => { if (!stopped) informer.start().then(onChange, () => {}); }, RESTART_AFTER_ERROR_MS);
      });
      await informer.start();
    },
    list: () => informer.list(),
    async annotate(nodeName, annotations) {
      await core.patchNode({ name: nodeName, body: { metadata: { annotations } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    },
    async stop() {
      stopped = true;
      clearTimeout(restart);
      await informer.stop();
    },
  };
}
