// The namespace controller: keeps the system namespaces (default, kube-system, kube-public,
// kube-node-lease) in existence, and carries out namespace deletion as kube-controller-manager does.
// A deleted namespace is held by the registry (deletionTimestamp, phase Terminating, spec.finalizers
// ['kubernetes']); this controller deletes every namespaced object in it, reports progress in the
// namespace's status conditions (`kubectl describe ns` shows them), and once nothing is left removes the
// `kubernetes` finalizer through the finalize subresource, which lets the registry remove the namespace.
import type { ApiClient } from '../../core/api/client.js';
import { isApiError } from '../../core/api/errors.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { RESOURCES, qualifiedResource } from '../../core/api/resources.js';
import { type Controller, type ControllerContext } from './context.js';
import type { Informer } from '../kube/informer.js';
import { WorkQueue } from './workqueue.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const FINALIZER = 'kubernetes';
/** How soon to look again while content is still terminating. */
const RECHECK_MS = 1000;

/** Events last, so that what the deletion itself reports is removed too. */
const NAMESPACED = RESOURCES.filter((i) => i.namespaced)
  .sort((a, b) => Number(a.kind === 'Event') - Number(b.kind === 'Event'));

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface Progress { remaining: Map<string, number>; finalizers: Map<string, number>; errors: string[] }

export class NamespaceController implements Controller {
  readonly name = 'namespace-controller';
  private readonly namespaces: Informer;
  private readonly queue: WorkQueue;

  constructor(private readonly ctx: ControllerContext) {
    this.namespaces = ctx.informers.informer('namespaces');
    this.queue = new WorkQueue(this.name, (k) => this.sync(k), { log: ctx.log });
    this.namespaces.on({
      add: (ns) => { if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!); },
      update: (_o, ns) => { if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!); },
      // kube-node-lease may be deleted; like kube-apiserver's system namespaces controller, bring it back.
      delete: (ns) => { if (SYSTEM_NAMESPACES.includes(ns.metadata.name!)) void this.ensureSystemNamespaces().catch((e) => ctx.log(`${this.name}: ${(e as Error).message}`)); },
    });
  }

  /** Creates the system namespaces that are missing. Called before the other controllers start. */
  ensureSystemNamespaces(): Promise<void> {
    return ensureSystemNamespaces(this.ctx.client);
  }

  start(): void { this.queue.start(); }

  async stop(): Promise<void> { await this.queue.stop(); }

  idle(): Promise<void> { return this.queue.idle(); }

  private async sync(name: string): Promise<void> {
    const ns = await this.ctx.client.get('namespaces', undefined, name) as JsonObject | undefined;
    if (!ns || !ns.metadata.deletionTimestamp) return;
    if (!(ns.spec?.finalizers ?? []).includes(FINALIZER)) return;
    const progress = await this.deleteContent(name);
    const done = progress.remaining.size === 0 && progress.errors.length === 0;
    const current = await this.updateConditions(ns as KubeObject, progress);
    if (!done) {
      this.queue.addAfter(name, RECHECK_MS);
      if (progress.errors.length) throw new Error(`deleting the content of namespace ${name}: ${progress.errors.join('; ')}`);
      return;
    }
    const next = structuredClone(current) as JsonObject;
    next.spec = { ...(next.spec ?? {}), finalizers: (next.spec?.finalizers ?? []).filter((f: string) => f !== FINALIZER) };
    try {
      await this.ctx.client.update('namespaces', next as KubeObject, 'finalize');
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }

  /** Deletes every object in the namespace; counts what is still there (terminating pods, finalizers). */
  private async deleteContent(namespace: string): Promise<Progress> {
    const progress: Progress = { remaining: new Map(), finalizers: new Map(), errors: [] };
    for (const info of NAMESPACED) {
      const resource = qualifiedResource(info);
      let items: KubeObject[];
      try {
        ({ items } = await this.ctx.client.list(resource, { namespace }));
      } catch (e) {
        progress.errors.push(`listing ${resource}: ${(e as Error).message}`);
        continue;
      }
      let left = 0;
      for (const item of items) {
        let stillThere: KubeObject | undefined = item;
        if (!item.metadata.deletionTimestamp) {
          try {
            stillThere = await this.ctx.client.delete(resource, namespace, item.metadata.name!, {
              propagationPolicy: 'Background', preconditions: { uid: item.metadata.uid },
            });
          } catch (e) {
            if (isApiError(e, 'NotFound')) { stillThere = undefined; } else if (isApiError(e, 'Conflict')) {
              // Replaced meanwhile: the next pass deletes the new one.
            } else {
              progress.errors.push(`deleting ${resource} ${item.metadata.name}: ${(e as Error).message}`);
            }
          }
        }
        if (!stillThere) continue;
        left++;
        for (const f of stillThere.metadata.finalizers ?? []) progress.finalizers.set(f, (progress.finalizers.get(f) ?? 0) + 1);
      }
      if (left) progress.remaining.set(resource, left);
    }
    return progress;
  }

  /** The five conditions upstream reports on a terminating namespace. Returns the namespace as stored. */
  private async updateConditions(ns: KubeObject, p: Progress): Promise<KubeObject> {
    const remaining = [...p.remaining].map(([r, n]) => `${r} has ${n} resource instances`).join(', ');
    const finalizers = [...p.finalizers].map(([f, n]) => `${f} in ${n} resource instances`).join(', ');
    const wanted: Array<[string, boolean, string, string]> = [
      ['NamespaceDeletionDiscoveryFailure', false, 'ResourcesDiscovered', 'All resources successfully discovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', false, 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
      p.errors.length
        ? ['NamespaceDeletionContentFailure', true, 'ContentDeletionFailed', `Failed to delete all resource types, ${p.errors.length} remaining: ${p.errors.join(', ')}`]
        : ['NamespaceDeletionContentFailure', false, 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
      remaining
        ? ['NamespaceContentRemaining', true, 'SomeResourcesRemain', `Some resources are remaining: ${remaining}`]
        : ['NamespaceContentRemaining', false, 'ContentRemoved', 'All content successfully removed'],
      finalizers
        ? ['NamespaceFinalizersRemaining', true, 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${finalizers}`]
        : ['NamespaceFinalizersRemaining', false, 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
    ];
    const status: JsonObject = structuredClone((ns as JsonObject).status ?? {});
    const old: JsonObject[] = status.conditions ?? [];
    const conditions = wanted.map(([type, on, reason, message]) => {
      const prior = old.find((c) => c.type === type);
      const s = on ? 'True' : 'False';
      if (prior && prior.status === s && prior.reason === reason && prior.message === message) return prior;
      return { type, status: s, lastTransitionTime: prior?.status === s ? prior.lastTransitionTime : timestamp(), reason, message };
    });
    const changed = JSON.stringify(conditions) !== JSON.stringify(old) || status.phase !== 'Terminating';
    if (!changed) return ns;
    status.conditions = conditions;
    status.phase = 'Terminating';
    try {
      return await this.ctx.client.update('namespaces', { ...ns, status } as KubeObject, 'status');
    } catch (e) {
      if (isApiError(e, 'Conflict')) return (await this.ctx.client.get('namespaces', undefined, ns.metadata.name!)) ?? ns;
      throw e;
    }
  }
}

/**
 * Creates the system namespaces that are missing. Every API server calls it at start, as kube-apiserver's
 * system namespaces controller does: kube-system must exist before the controller manager's Lease.
 */
export async function ensureSystemNamespaces(client: Pick<ApiClient, 'get' | 'create'>): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    if (await client.get('namespaces', undefined, name)) continue;
    try {
      await client.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (e) {
      if (!isApiError(e, 'AlreadyExists')) throw e;
    }
  }
}
