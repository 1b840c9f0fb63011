// Service port → endpoint port resolution, per pod, as upstream's podutil.FindPort and the
// EndpointSlice controller's getEndpointPorts do it. A numeric targetPort is used as is; a named one is
// looked up in the pod's container ports (and its sidecars: init containers with restartPolicy Always)
// by name and protocol, so two pods may resolve the same Service port to different numbers, and a pod
// without that name simply has no endpoint for that port.
import type { JsonObject } from '../api/object.js';

/** A resolved port as EndpointSlices carry it (and, without appProtocol's absence mattering, Endpoints). */
export interface EndpointPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** A Service port whose named targetPort a pod does not define. */
export interface UnresolvedPort {
  /** The service port's name ('' for a single unnamed port). */
  name: string;
  protocol: string;
  targetPort: string;
}

/**
 * The container port number a Service port resolves to on this pod, or undefined when the targetPort
 * is a name that no container (or sidecar) port of the pod carries with the Service port's protocol.
 */
export function findPort(pod: JsonObject, servicePort: JsonObject): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (typeof target !== 'string' || target === '') return undefined;
  const protocol = servicePort.protocol ?? 'TCP';
  const spec = pod.spec ?? {};
  const sidecars = (spec.initContainers ?? []).filter((c: JsonObject) => c.restartPolicy === 'Always');
  for (const c of [...(spec.containers ?? []), ...sidecars]) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/**
 * The endpoint ports of one pod for a Service, in the Service's port order, and the Service ports the
 * pod could not resolve (so the controller can say why a port is missing).
 */
export function endpointPortsFor(service: JsonObject, pod: JsonObject): { ports: EndpointPort[]; unresolved: UnresolvedPort[] } {
  const ports: EndpointPort[] = [];
  const unresolved: UnresolvedPort[] = [];
  for (const sp of service.spec?.ports ?? []) {
    const n = findPort(pod, sp);
    const name = sp.name ?? '';
    const protocol = sp.protocol ?? 'TCP';
    if (n === undefined) {
      unresolved.push({ name, protocol, targetPort: String(sp.targetPort) });
      continue;
    }
    const ep: EndpointPort = { name, port: n, protocol };
    if (sp.appProtocol !== undefined && sp.appProtocol !== null) ep.appProtocol = sp.appProtocol;
    ports.push(ep);
  }
  return { ports, unresolved };
}

/**
 * A key that is equal for equal port sets whatever their order (upstream NewPortMapKey), so endpoints
 * with the same resolved ports share slices and existing slices are matched to their group.
 */
export function portSetKey(ports: ReadonlyArray<JsonObject> | undefined): string {
  return JSON.stringify((ports ?? [])
    .map((p) => [p.name ?? '', p.port ?? null, p.protocol ?? 'TCP', p.appProtocol ?? null])
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
}
