// Verdict hops from features that live elsewhere: NetworkPolicy (the policy planner's explain()) and
// Ingress (the route table of podnet's ingress-nginx controller), plugged into the model.
import { ingressRouter, policyVerdicts, type TracePlugins } from '../../core/trace/index.js';
import { CONTROLLER_CLASS } from '../ingress/controller.js';

/** The controller's Service as addons/ingress-nginx.yaml installs it (its --publish-service). */
export const INGRESS_CONTROLLER_SERVICE = { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' };

export function tracePlugins(): TracePlugins {
  return { policy: policyVerdicts, ingress: ingressRouter(CONTROLLER_CLASS), ingressService: INGRESS_CONTROLLER_SERVICE };
}
