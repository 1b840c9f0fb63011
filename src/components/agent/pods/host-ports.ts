// hostPort: the pod's port mappings for the portmap plugin (CNI capability `portMappings`), and the
// node-level check kubelet's admission runs (the NodePorts predicate) so that a pod asking for a
// (hostIP, protocol, hostPort) another pod on this node already holds is refused with a reason.
import type { V1Pod } from '@kubernetes/client-node';

export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  hostIP?: string;
}

/** The portMappings runtime argument, as the CRI runtimes build it from the pod's container ports. */
export function portMappings(pod: V1Pod): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      const hostPort = p.hostPort ?? (pod.spec?.hostNetwork ? p.containerPort : 0);
      if (!hostPort) continue;
      const m: PortMapping = { hostPort, containerPort: p.containerPort, protocol: (p.protocol ?? 'TCP').toLowerCase() as PortMapping['protocol'] };
      if (p.hostIP) m.hostIP = p.hostIP;
      out.push(m);
    }
  }
  return out;
}

const WILDCARD = new Set(['', '0.0.0.0', '::']);

function overlaps(a: PortMapping, b: PortMapping): boolean {
  if (a.hostPort !== b.hostPort || a.protocol !== b.protocol) return false;
  const ai = a.hostIP ?? '', bi = b.hostIP ?? '';
  return WILDCARD.has(ai) || WILDCARD.has(bi) || ai === bi;
}

export interface HostPortConflict { port: PortMapping; holder: V1Pod }

/** The first of the pod's host ports already held by another of `active` (pods this node runs). */
export function hostPortConflict(pod: V1Pod, active: V1Pod[]): HostPortConflict | undefined {
  const mine = portMappings(pod);
  if (mine.length === 0) return undefined;
  for (const other of active) {
    if (other.metadata?.uid === pod.metadata?.uid) continue;
    for (const theirs of portMappings(other)) {
      const port = mine.find((m) => overlaps(m, theirs));
      if (port) return { port, holder: other };
    }
  }
  return undefined;
}

/** kubelet's admission failure for the NodePorts predicate, with which port and which pod, to be clear. */
export function hostPortRejection(c: HostPortConflict): { reason: string; message: string; detail: string } {
  const where = `${c.port.hostIP && !WILDCARD.has(c.port.hostIP) ? `${c.port.hostIP}:` : ''}${c.port.hostPort}/${c.port.protocol.toUpperCase()}`;
  return {
    reason: 'NodePorts',
    message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
    detail: `hostPort ${where} is already used on this node by pod ${c.holder.metadata?.namespace ?? 'default'}/${c.holder.metadata?.name}; choose another hostPort or another node`,
  };
}
