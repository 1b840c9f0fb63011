// Controller expectations (client-go's UIDTrackingControllerExpectations): after a controller creates or
// deletes pods it must not act on the same owner again until its informer has seen those changes, or it
// would create a second batch for the same missing replicas. Expectations expire so that a lost event
// can never wedge a controller.

const TTL_MS = 5 * 60_000;

interface Expectation { add: number; deleteKeys: Set<string>; at: number }

export class Expectations {
  private readonly byOwner = new Map<string, Expectation>();

  constructor(private readonly ttlMs = TTL_MS) {}

  /** True when the owner may be synced: nothing pending, or the expectation expired. */
  satisfied(owner: string): boolean {
    const e = this.byOwner.get(owner);
    if (!e) return true;
    if ((e.add <= 0 && e.deleteKeys.size === 0) || Date.now() - e.at > this.ttlMs) {
      this.byOwner.delete(owner);
      return true;
    }
    return false;
  }

  expectCreations(owner: string, n: number): void {
    const e = this.entry(owner);
    e.add += n;
  }

  expectDeletions(owner: string, podKeys: string[]): void {
    const e = this.entry(owner);
    for (const k of podKeys) e.deleteKeys.add(k);
  }

  creationObserved(owner: string): void {
    const e = this.byOwner.get(owner);
    if (e && e.add > 0) e.add--;
  }

  deletionObserved(owner: string, podKey: string): void {
    this.byOwner.get(owner)?.deleteKeys.delete(podKey);
  }

  forget(owner: string): void {
    this.byOwner.delete(owner);
  }

  private entry(owner: string): Expectation {
    let e = this.byOwner.get(owner);
    if (!e || this.satisfied(owner)) this.byOwner.set(owner, e = { add: 0, deleteKeys: new Set(), at: Date.now() });
    e.at = Date.now();
    return e;
  }
}
