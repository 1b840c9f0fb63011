// NetworkPolicy's pure core: plan per-pod allow-lists (planner.ts), turn a node's plans into the
// nftables table (nft.ts), and explain which policy decides a connection (explain.ts; `podnet trace`).
export * from './types.js';
export {
  PolicyIndex, planPolicies, policyPodIP, ipBlockRanges, policyTypes, containerPortByName, METADATA_NAME_LABEL,
  type PodPlan, type DirectionPlan, type AllowRule, type Grant, type PortGrant,
} from './planner.js';
export { IncrementalPolicyPlanner, type IncrementalPlan } from './incremental.js';
export { explain, grantAllows, type ConnectionQuery, type DirectionVerdict, type Explanation } from './explain.js';
export { planPolicyRuleset, directionElements, podChainName, dropCounterName, POLICY_TABLE } from './nft.js';
export { type Range, addrRangeText, unionRanges, subtractRanges, disjointBoxes } from './ranges.js';
