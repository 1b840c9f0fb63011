// A connection between a component and the API that tests can cut: every call goes to the real API
// (the registry), and dropAll() ends the open watches as a server restart or a watch timeout does, so
// tests can check that informers resume (or relist after 410 Expired) and that stop() closes them.
import type { ApiClient, WatchEvent, WatchOptions } from '../../../core/api/client.js';

export interface DroppableClient extends ApiClient {
  /** Ends every open watch from the server's side. */
  dropAll(): void;
  /** Watches still open. */
  openWatches(): number;
}

export function droppable(api: ApiClient): DroppableClient {
  const open = new Map<object, { stop(): void; onClose?: (err?: Error) => void }>();
  const client = Object.create(api) as DroppableClient;
  client.watch = async (resource: string, opts: WatchOptions, onEvent: (e: WatchEvent) => void, onClose?: (err?: Error) => void) => {
    const token = {};
    const h = await api.watch(resource, opts, onEvent, (err) => { open.delete(token); onClose?.(err); });
    open.set(token, { stop: h.stop, onClose });
    return { stop: () => { open.delete(token); h.stop(); } };
  };
  client.dropAll = () => {
    for (const [token, w] of [...open]) {
      open.delete(token);
      w.stop();
      setImmediate(() => w.onClose?.());
    }
  };
  client.openWatches = () => open.size;
  return client;
}
