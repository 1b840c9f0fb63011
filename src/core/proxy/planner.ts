// planServiceRules: Services + EndpointSlices + the node → the desired nftables table. Pure and
// deterministic (same input, same Ruleset, element for element), so that the programmer can diff two
// plans and the tests can trace packets through one without a kernel.
import { destinations, planFirewall } from './destinations.js';
import { planChainsServicePort } from './plan-chains.js';
import { declareEndpointMaps, planMapsServicePort } from './plan-maps.js';
import type { Ruleset } from './ruleset.js';
import { servicePorts } from './service-ports.js';
import { newContext } from './skeleton.js';
import type { ProxyInput } from './types.js';

export function planServiceRules(input: ProxyInput): Ruleset {
  const ctx = newContext(input);
  const layout = input.options?.layout ?? 'maps';
  if (layout !== 'maps' && layout !== 'chains') {
    throw new Error(`proxy option layout: "${String(layout)}" is not one of maps, chains`);
  }
  if (layout === 'maps') declareEndpointMaps(ctx);
  for (const sp of servicePorts(input.services, input.endpointSlices, input.node)) {
    const dests = destinations(ctx, sp);
    planFirewall(ctx, sp, dests, input.node.ips);
    if (layout === 'chains' || sp.affinityTimeout !== undefined) planChainsServicePort(ctx, sp, dests);
    else planMapsServicePort(ctx, sp, dests);
  }
  return ctx.rs;
}
