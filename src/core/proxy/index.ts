// The service proxy's pure core: plan the nftables table for Services + EndpointSlices, render it,
// diff two plans into a minimal `nft -f` transaction, and trace packets through a plan.
export * from './types.js';
export * from '../nft/ruleset.js';
export { planServiceRules, IncrementalPlanner, type IncrementalPlan, type PlannedChange } from './planner.js';
export { renderRuleset, renderDeleteTable } from '../nft/render.js';
export { diffRulesets, type RulesetDiff } from '../nft/diff.js';
export { tracePacket, traceAll, type TracePacket, type TraceEnv, type TraceResult } from './tracer.js';
export { servicePorts, isProxied, type ServicePortInfo, type EndpointInfo } from './service-ports.js';
export { service, endpointSlice, endpoint, syntheticCluster, offsetIP } from './fixtures.js';
