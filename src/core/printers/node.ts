// Node columns as `kubectl get nodes` shows them: Ready / NotReady / Unknown (plus SchedulingDisabled
// when cordoned), roles from the node-role.kubernetes.io/* labels, and (wide) addresses and system info.

import type { KindPrinter, TableCell } from './table.js';
import { ageColumn, ageOf, column, nameColumn, nameOf, sortedSet } from './common.js';
import type { JsonObject } from '../api/object.js';

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
/** The older single-role label (`kubernetes.io/role=master`). */
const NODE_ROLE_LABEL = 'kubernetes.io/role';

const ADDRESSES_DESCRIPTION = 'List of addresses reachable to the node. Queried from cloud provider, if available.';

/** `Ready`, `NotReady`, `Unknown` (no Ready condition yet), with `,SchedulingDisabled` when unschedulable. */
export function nodeStatus(node: JsonObject): string {
  const status: string[] = [];
  const ready = (node.status?.conditions ?? []).filter((c: JsonObject) => c.type === 'Ready').at(-1);
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

/** Roles from `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role` value, sorted; `<none>`. */
export function nodeRoles(node: JsonObject): string {
  const roles: string[] = [];
  for (const [k, v] of Object.entries((node.metadata?.labels ?? {}) as Record<string, string>)) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role) roles.push(role);
    } else if (k === NODE_ROLE_LABEL && v) {
      roles.push(v);
    }
  }
  return sortedSet(roles).join(',') || '<none>';
}

function address(node: JsonObject, type: string): string {
  return (node.status?.addresses ?? []).find((a: JsonObject) => a.type === type)?.address ?? '<none>';
}

export const nodePrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    ageColumn(),
    column('Version', 'string', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'string', ADDRESSES_DESCRIPTION, 1),
    column('External-IP', 'string', ADDRESSES_DESCRIPTION, 1),
    column('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    column('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    column('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  cells(node: JsonObject, now: Date): TableCell[] {
    const info = node.status?.nodeInfo ?? {};
    return [
      nameOf(node), nodeStatus(node), nodeRoles(node), ageOf(node, now), info.kubeletVersion ?? '',
      address(node, 'InternalIP'), address(node, 'ExternalIP'), info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>',
    ];
  },
};
