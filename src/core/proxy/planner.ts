// planServiceRules: Services + EndpointSlices + the node → the desired nftables table. Pure and
// deterministic (same input, same Ruleset, element for element), so that the programmer can diff two
// plans and the tests can trace packets through one without a kernel.
import { destinations, type Destination, planFirewall } from './destinations.js';
import { Fragment, replay } from './fragment.js';
import { planChainsServicePort } from './plan-chains.js';
import { declareEndpointMaps, ensurePickChain, planMapsServicePort } from './plan-maps.js';
import type { Ruleset } from './ruleset.js';
import { serviceKey, servicePortShells, type ServicePortShell, slicesByService, sortedServices, withEndpoints } from './service-ports.js';
import { newContext } from './skeleton.js';
import type { EndpointSlice, ProxyInput, ProxyNode, ProxyOptions, Service } from './types.js';

interface CacheEntry {
  shells: ServicePortShell[];
  slices: EndpointSlice[];
  /** The destinations this service was given (claims depend on other services). */
  dests: string;
  fragment: Fragment;
}

/**
 * Remembers each Service's fragment between plans. Objects are compared by identity, as informer caches
 * replace an object on every change: pass the same Service/EndpointSlice objects for unchanged ones. A
 * change of node or options empties the cache.
 */
export class PlanCache {
  private entries = new WeakMap<Service, CacheEntry>();
  private env = '';

  /** @internal */
  check(node: ProxyNode, options: ProxyOptions | undefined): void {
    const env = JSON.stringify([node, options ?? {}]);
    if (env !== this.env) {
      this.entries = new WeakMap();
      this.env = env;
    }
  }

  /** @internal */
  get(svc: Service): CacheEntry | undefined {
    return this.entries.get(svc);
  }

  /** @internal */
  set(svc: Service, e: CacheEntry): void {
    this.entries.set(svc, e);
  }
}

const sameList = <T>(a: readonly T[], b: readonly T[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function destSignature(dests: Destination[][]): string {
  return dests.map((ds) => ds.map((d) => d.key.join(' ')).join(',')).join(';');
}

export function planServiceRules(input: ProxyInput, cache?: PlanCache): Ruleset {
  const ctx = newContext(input);
  const layout = input.options?.layout ?? 'maps';
  if (layout !== 'maps' && layout !== 'chains') {
    throw new Error(`proxy option layout: "${String(layout)}" is not one of maps, chains`);
  }
  if (layout === 'maps') declareEndpointMaps(ctx);
  cache?.check(input.node, input.options);
  const bySvc = slicesByService(input.endpointSlices);

  for (const svc of sortedServices(input.services)) {
    const slices = bySvc.get(serviceKey(svc)) ?? [];
    const cached = cache?.get(svc);
    const shells = cached?.shells ?? servicePortShells(svc);
    // Claims run every time: whether this service keeps a contested destination depends on the others.
    const dests = shells.map((sp) => destinations(ctx, sp));
    const sig = destSignature(dests);
    let fragment = cached && cached.dests === sig && sameList(cached.slices, slices) ? cached.fragment : undefined;
    if (!fragment) {
      fragment = new Fragment();
      shells.forEach((shell, i) => {
        const sp = withEndpoints(shell, slices, input.node);
        planFirewall(fragment!, sp, dests[i], input.node.ips);
        if (layout === 'chains' || sp.affinityTimeout !== undefined) planChainsServicePort(ctx, fragment!, sp, dests[i]);
        else planMapsServicePort(ctx, fragment!, sp, dests[i]);
      });
      cache?.set(svc, { shells, slices, dests: sig, fragment });
    }
    replay(ctx, fragment, ensurePickChain);
  }
  return ctx.rs;
}
