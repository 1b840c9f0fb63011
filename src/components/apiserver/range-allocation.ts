// A RangeAllocation in the datastore: the bitmap of a ClusterIP or NodePort allocator, kept where every
// API server sharing the datastore sees it, as kube-apiserver keeps it (/registry/ranges/serviceips and
// /registry/ranges/servicenodeports; its storage/etcd allocator). Each change is read → change a fresh
// allocator → compare-and-swap on the revision read; a conflict (another server allocated meanwhile)
// reads again and redoes the change, so two servers never hand out one address.
import { StoreError, type Store } from '../store/store.js';
import type { KubeObject } from '../../core/api/object.js';
import { internalServerError } from '../../core/api/errors.js';

export const SERVICE_IPS_KEY = '/registry/ranges/serviceips';
export const SERVICE_NODE_PORTS_KEY = '/registry/ranges/servicenodeports';

/** What ServiceIPAllocator and PortAllocator share: a range and a bitmap that can be saved and loaded. */
export interface RangeAllocator {
  readonly range: string;
  snapshot(): { range: string; data: Uint8Array };
  restore(s: { range: string; data: Uint8Array }): void;
}

/** Conflicts in a row before giving up: each means another server wrote the range in between. */
const MAX_CONFLICTS = 64;

interface RangeAllocationObject extends KubeObject { range: string; data: string }

export class StoredRange<A extends RangeAllocator> {
  /** Changes from this process go one at a time: they would only conflict with each other. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: Store, readonly key: string, private readonly make: () => A) {}

  /** A fresh allocator with the stored bitmap, and the revision it was read at (undefined: nothing stored). */
  async read(): Promise<{ allocator: A; revision?: number; stale: boolean }> {
    const allocator = this.make();
    const o = await this.store.get(this.key) as RangeAllocationObject | undefined;
    if (!o) return { allocator, stale: false };
    const revision = Number(o.metadata.resourceVersion);
    // A range the configuration changed since (a new --service-cidr): the old bitmap means nothing here.
    if (o.range !== allocator.range) return { allocator, revision, stale: true };
    allocator.restore({ range: o.range, data: new Uint8Array(Buffer.from(o.data, 'base64')) });
    return { allocator, revision, stale: false };
  }

  /**
   * Runs change on the current bitmap and stores the result if change returns true (persist false: a dry
   * run, nothing is written). change may run several times (once per conflict), each time on a fresh
   * read, so it must start over each time. Returns what the last run returned.
   */
  update(change: (a: A, stale: boolean) => boolean, opts: { persist?: boolean } = {}): Promise<boolean> {
    const run = this.tail.then(() => this.updateNow(change, opts.persist ?? true));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async updateNow(change: (a: A, stale: boolean) => boolean, persist: boolean): Promise<boolean> {
    for (let conflicts = 0; ; conflicts++) {
      const { allocator, revision, stale } = await this.read();
      const changed = change(allocator, stale);
      if (!changed || !persist) return changed;
      const s = allocator.snapshot();
      const name = this.key.slice(this.key.lastIndexOf('/') + 1);
      const object: RangeAllocationObject = {
        apiVersion: 'v1', kind: 'RangeAllocation', metadata: { name }, range: s.range, data: Buffer.from(s.data).toString('base64'),
      };
      try {
        if (revision === undefined) await this.store.create(this.key, object);
        else await this.store.update(this.key, object, revision);
        return true;
      } catch (e) {
        const lost = e instanceof StoreError && (e.code === 'conflict' || e.code === 'exists' || e.code === 'notfound');
        if (!lost) throw e;
        if (conflicts >= MAX_CONFLICTS) {
          throw internalServerError(`the range allocation ${this.key} changed under ${MAX_CONFLICTS} attempts in a row; try again`);
        }
      }
    }
  }
}
