// The last hops: the packet enters the destination pod, and something listens on the port (or not).
// With the pod's sockets read from the kernel (`ss` in its netns) the model knows; without them it says
// what the pod declares and leaves the listener for --prove.
import { podKey, podReady } from './snapshot.js';
import type { Hop, KernelFacts, PodLike, Proto, ServiceLike } from './types.js';

export function destinationHops(pod: PodLike, port: number, proto: Proto, facts: KernelFacts, service?: { svc: ServiceLike; targetPort?: number | string }): Hop[] {
  const key = podKey(pod);
  const hops: Hop[] = [];
  hops.push({
    kind: 'destination', where: `pod ${key}`, ns: { kind: 'pod', key, node: pod.spec?.nodeName }, decidedBy: `Pod ${key} (${pod.status?.podIP} on ${pod.spec?.nodeName})`,
    summary: `arrives on eth0 of pod ${key}`,
    why: [podReady(pod) ? 'the pod is Ready' : `the pod is not Ready (phase ${pod.status?.phase ?? 'unknown'})`],
    ok: true, expect: { kind: 'seen', ns: { kind: 'pod', key, node: pod.spec?.nodeName } },
  });
  const declared = (pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => ({ c: c.name, ...p })))
    .filter((p) => (p.protocol ?? 'TCP').toLowerCase() === proto);
  const decl = declared.find((p) => p.containerPort === port);
  const sockets = facts.listeners?.get(key);
  const listening = sockets?.filter((s) => s.proto === proto);
  const hit = listening?.find((s) => s.port === port);
  const portsText = (xs: number[]) => (xs.length ? [...new Set(xs)].sort((a, b) => a - b).join(', ') : 'none');
  if (sockets === undefined) {
    hops.push({
      kind: 'listener', where: `pod ${key}`, decidedBy: decl ? `container ${decl.c} port ${port}` : `pod ${key}`,
      summary: decl ? `container ${decl.c} declares ${proto.toUpperCase()} port ${port}` : `no container declares ${proto.toUpperCase()} port ${port} (declared: ${portsText(declared.map((d) => d.containerPort ?? 0))})`,
      why: ['the model did not read the pod\'s sockets (run as root on the cluster\'s host to check with ss)'],
      ok: true, expect: { kind: 'connect', result: 'connected' },
    });
    return hops;
  }
  if (hit) {
    hops.push({
      kind: 'listener', where: `pod ${key}`, decidedBy: `socket ${hit.addr}:${hit.port}/${proto}`,
      summary: `a process listens on ${hit.addr}:${hit.port}/${proto}: the connection is accepted`,
      why: [`ss -l${proto === 'tcp' ? 't' : 'u'}n in the pod's netns shows ${hit.addr}:${hit.port}`], ok: true,
      expect: { kind: 'connect', result: 'connected' },
    });
    return hops;
  }
  const ports = listening!.map((s) => s.port);
  const why = [`nothing listens on ${proto.toUpperCase()} port ${port} in pod ${key}: ss -l${proto === 'tcp' ? 't' : 'u'}n in its netns shows ${proto} port(s) ${portsText(ports)}`];
  let fix = `start a listener on port ${port} in the pod, or send to a port it listens on`;
  if (service && ports.length) {
    why.push(`Service ${service.svc.metadata.namespace}/${service.svc.metadata.name} sends to targetPort ${service.targetPort ?? port}, which resolves to ${port}`);
    fix = `set the Service's targetPort to ${ports.length === 1 ? ports[0] : `one of ${portsText(ports)}`} (the port the pod listens on)`;
  }
  hops.push({
    kind: 'listener', where: `pod ${key}`, decidedBy: `pod ${key}'s sockets`, summary: `no listener on ${port}/${proto}: the pod's kernel answers ${proto === 'tcp' ? 'with a TCP reset' : 'ICMP port unreachable'}`,
    why, ok: false, fix, expect: { kind: 'connect', result: 'refused' },
  });
  return hops;
}
