// The one nftables model: a Ruleset (tables, chains, rules, sets and maps, counters) built by the
// planners (service proxy, NetworkPolicy, overlay masquerade, the CNI portmap and ipMasq), rendered to
// `nft -f` text by one renderer, and diffed into minimal transactions. Nothing else writes nft text.
export * from './ruleset.js';
export * from './render.js';
export { diffRulesets, type RulesetDiff } from './diff.js';
