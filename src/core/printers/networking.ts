// Ingress, IngressClass and NetworkPolicy columns.

import type { KindPrinter, TableCell } from './table.js';
import { ageColumn, ageOf, column, formatLabelSelector, nameColumn, nameOf } from './common.js';
import { loadBalancerIngress } from './service.js';
import type { JsonObject } from '../api/object.js';

const MAX_HOSTS = 3;

/**
 * formatHosts: up to three rule hosts, `*` when no rule names one. Upstream's quirk is kept: once three
 * hosts are listed, `+ N more...` counts every remaining rule, host or not.
 */
export function ingressHosts(rules: JsonObject[] | undefined): string {
  const list: string[] = [];
  let more = false;
  for (const rule of rules ?? []) {
    if (list.length === MAX_HOSTS) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return '*';
  const shown = list.join(',');
  return more ? `${shown} + ${(rules ?? []).length - MAX_HOSTS} more...` : shown;
}

export const ingressPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn(),
  ],
  cells: (ing: JsonObject, now: Date): TableCell[] => [
    nameOf(ing), ing.spec?.ingressClassName ?? '<none>', ingressHosts(ing.spec?.rules),
    loadBalancerIngress(ing.status?.loadBalancer), (ing.spec?.tls ?? []).length > 0 ? '80, 443' : '80', ageOf(ing, now),
  ],
};

/** `Kind.apiGroup/name` of the class's parameters resource, `<none>` without one. */
function ingressClassParameters(params: JsonObject | undefined): string {
  if (!params) return '<none>';
  const kind = params.apiGroup != null ? `${params.kind}.${params.apiGroup}` : `${params.kind}`;
  return `${kind}/${params.name}`;
}

export const ingressClassPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageColumn(),
  ],
  cells: (ic: JsonObject, now: Date): TableCell[] => [
    nameOf(ic), ic.spec?.controller ?? '', ingressClassParameters(ic.spec?.parameters), ageOf(ic, now),
  ],
};

export const networkPolicyPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies. An empty podSelector selects all pods in this namespace.'),
    ageColumn(),
  ],
  cells: (np: JsonObject, now: Date): TableCell[] => [
    nameOf(np), formatLabelSelector(np.spec?.podSelector ?? {}), ageOf(np, now),
  ],
};
