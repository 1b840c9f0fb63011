// hostPort: which host ports a pod holds, when two pods clash on one, and the port mappings the portmap
// plugin programs. The scheduler's NodePorts filter and the agent's admission (kubelet runs the same
// predicate, lifecycle.generalFilter → nodeports.Fits) both decide with this module, so a pod the
// scheduler places is never refused by the node for its ports, nor the reverse.
//
// Upstream rules (kube-scheduler's util.GetHostPorts and framework.HostPortInfo.CheckConflict):
//  - a pod holds the host ports of its containers and of its restartable (sidecar) init containers,
//    which run for the pod's whole life; ordinary init containers have exited before the app starts
//  - an empty hostIP is 0.0.0.0 and an empty protocol TCP
//  - only 0.0.0.0 is a wildcard: it clashes with every address on the same (protocol, port). `::` is
//    compared as an address like any other, as upstream does
//  - otherwise two ports clash when hostIP, protocol and port are all equal.

export interface ContainerPortLike { containerPort?: number; hostPort?: number; hostIP?: string; protocol?: string }
interface ContainerLike { ports?: ContainerPortLike[] | null; restartPolicy?: string | null }
export interface PodLike {
  metadata?: { uid?: string; name?: string; namespace?: string };
  spec?: { hostNetwork?: boolean | null; containers?: ContainerLike[] | null; initContainers?: ContainerLike[] | null };
}

/** A host port a pod holds: hostIP defaulted to 0.0.0.0, protocol to TCP (upstream's sanitize). */
export interface HostPort { ip: string; protocol: string; port: number }

export const BIND_ALL_HOST_IP = '0.0.0.0';

/** The host port of a container port, or undefined when it has none; hostNetwork ports are host ports. */
function hostPortOf(pod: PodLike, p: ContainerPortLike): number | undefined {
  // The API server defaults hostPort to containerPort for hostNetwork pods; pods built in-process
  // (static pods, tests) may not have been through it.
  const hostPort = p.hostPort || (pod.spec?.hostNetwork ? p.containerPort : 0);
  return hostPort && hostPort > 0 ? hostPort : undefined;
}

/** The host ports the pod holds while it runs (containers and restartable init containers). */
export function podHostPorts(pod: PodLike): HostPort[] {
  const out: HostPort[] = [];
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...sidecars, ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      const port = hostPortOf(pod, p);
      if (port) out.push({ ip: p.hostIP || BIND_ALL_HOST_IP, protocol: p.protocol || 'TCP', port });
    }
  }
  return out;
}

/** Whether two host ports clash (see the file comment). */
export function hostPortsClash(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.ip === b.ip || a.ip === BIND_ALL_HOST_IP || b.ip === BIND_ALL_HOST_IP;
}

export interface HostPortConflict { port: HostPort; holder: PodLike }

/** The first of the pod's host ports another of `others` (pods on the same node) already holds. */
export function hostPortConflict(pod: PodLike, others: readonly PodLike[]): HostPortConflict | undefined {
  const mine = podHostPorts(pod);
  if (mine.length === 0) return undefined;
  for (const other of others) {
    if (pod.metadata?.uid && other.metadata?.uid === pod.metadata.uid) continue; // itself, as the node lists it
    for (const theirs of podHostPorts(other)) {
      const port = mine.find((m) => hostPortsClash(m, theirs));
      if (port) return { port, holder: other };
    }
  }
  return undefined;
}

/** kube-scheduler's NodePorts reason. */
export const NODE_PORTS_REASON = "node(s) didn't have free ports for the requested pod ports";

/** kubelet's admission failure for the NodePorts predicate, naming the port and the pod holding it. */
export function hostPortRejection(c: HostPortConflict): { reason: string; message: string; detail: string } {
  const where = `${c.port.ip !== BIND_ALL_HOST_IP ? `${c.port.ip}:` : ''}${c.port.port}/${c.port.protocol}`;
  return {
    reason: 'NodePorts',
    message: `Predicate NodePorts failed: ${NODE_PORTS_REASON}`,
    detail: `hostPort ${where} is already used on this node by pod ${c.holder.metadata?.namespace ?? 'default'}/${c.holder.metadata?.name}; choose another hostPort or another node`,
  };
}

/** One entry of the CNI `portMappings` capability. */
export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  hostIP?: string;
}

/**
 * The portMappings runtime argument, as kubelet builds the sandbox's port mappings: from the app
 * containers only (kuberuntime generatePodSandboxConfig), those with a host port.
 */
export function portMappings(pod: PodLike): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      const hostPort = hostPortOf(pod, p);
      if (!hostPort) continue;
      const m: PortMapping = { hostPort, containerPort: p.containerPort ?? hostPort, protocol: (p.protocol ?? 'TCP').toLowerCase() as PortMapping['protocol'] };
      if (p.hostIP) m.hostIP = p.hostIP;
      out.push(m);
    }
  }
  return out;
}
