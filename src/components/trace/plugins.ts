// Verdict hops from features that live elsewhere: NetworkPolicy (src/core/policy) and Ingress
// (src/core/ingress) plug in here through TracePlugins once they exist on this branch.
import type { TracePlugins } from '../../core/trace/index.js';

export function tracePlugins(): TracePlugins {
  return {};
}
