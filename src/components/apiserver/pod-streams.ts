// The pod subresources that stream (log, exec, attach, portforward). kube-apiserver forwards them to the
// kubelet of the pod's node; podnet's API server forwards them to the node's agent the same way.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../core/api/object.js';

export interface PodStreams {
  /** GET .../pods/{name}/log: answers on res (text/plain, chunked when following). */
  log(pod: KubeObject, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** exec, attach, portforward over an upgraded connection (WebSocket or SPDY). */
  upgrade(pod: KubeObject, subresource: 'exec' | 'attach' | 'portforward', req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
}
