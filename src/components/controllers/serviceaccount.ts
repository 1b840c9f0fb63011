// The service account controller: every active namespace has a `default` ServiceAccount (pods that
// name none use it), recreated if deleted, as kube-controller-manager's serviceaccount-controller does.
import { isApiError } from '../../core/api/errors.js';
import type { KubeObject } from '../../core/api/object.js';
import { type Controller, type ControllerContext } from './context.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

export class ServiceAccountController implements Controller {
  readonly name = 'serviceaccount-controller';
  private readonly namespaces: Informer;
  private readonly accounts: Informer;
  private readonly queue: WorkQueue;

  constructor(private readonly ctx: ControllerContext) {
    this.namespaces = ctx.informers.informer('namespaces');
    this.accounts = ctx.informers.informer('serviceaccounts');
    this.queue = new WorkQueue(this.name, (ns) => this.sync(ns), { log: ctx.log });
    this.namespaces.on({
      add: (ns) => this.queue.add(ns.metadata.name!),
      update: (_o, ns) => this.queue.add(ns.metadata.name!),
    });
    this.accounts.on({
      delete: (sa) => { if (sa.metadata.name === DEFAULT_SERVICE_ACCOUNT) this.queue.add(sa.metadata.namespace!); },
    });
  }

  start(): void { this.queue.start(); }

  async stop(): Promise<void> { await this.queue.stop(); }

  idle(): Promise<void> { return this.queue.idle(); }

  private async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.get(undefined, namespace);
    // A terminating namespace refuses new content; it is about to go anyway.
    if (!ns || ns.metadata.deletionTimestamp || (ns as { status?: { phase?: string } }).status?.phase === 'Terminating') return;
    if (this.accounts.get(namespace, DEFAULT_SERVICE_ACCOUNT)) return;
    const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } };
    try {
      await this.ctx.client.create('serviceaccounts', sa);
    } catch (e) {
      if (isApiError(e, 'AlreadyExists') || isApiError(e, 'NotFound')) return;
      if (isApiError(e, 'Forbidden') && /being terminated/.test((e as Error).message)) return;
      throw e;
    }
  }
}
