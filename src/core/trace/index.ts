// podnet trace's model: the planners run as a model dataplane for one connection (pure, no I/O).
export * from './types.js';
export { planTrace, type TraceOptions } from './plan.js';
export { parseFrom, parseTarget, TraceInputError } from './ends.js';
export { resolveName, searchCandidates, type ResolvConf } from './dns.js';
export { traceProxy, nodeRuleset } from './proxy.js';
export { routeHops } from './route.js';
export { policyVerdicts } from './policy.js';
export { ingressRouter } from './ingress.js';
export { renderTrace } from './render.js';
export { podKey, svcKey, internalIPOf } from './snapshot.js';
export { topologyView, flowsView, type TopologyView, type FlowView, type ConntrackTuple } from './topology.js';
