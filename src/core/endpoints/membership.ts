// Which Services select a pod, and whether a pod change can change any endpoint (upstream
// endpointsliceutil.GetPodServiceMemberships / podEndpointsChanged): the controllers queue only the
// Services a pod event can affect, so a status heartbeat on one pod does not resync every Service.
import type { JsonObject } from '../api/object.js';
import { isPodReady, podIPs } from './pod-endpoint.js';

/**
 * True when the Service's selector selects the pod. Services without a selector select nothing (their
 * endpoints are written by someone else); an empty selector `{}` selects every pod of the namespace,
 * as upstream's labels.Set(selector).AsSelector() does.
 */
export function selectsPod(service: JsonObject, pod: JsonObject): boolean {
  const selector = service.spec?.selector;
  if (selector === undefined || selector === null || typeof selector !== 'object') return false;
  if (service.metadata?.namespace !== pod.metadata?.namespace) return false;
  const labels: Record<string, string> = pod.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

/** True for Services the endpoint controllers manage: a selector, and not ExternalName. */
export function hasManagedEndpoints(service: JsonObject): boolean {
  const s = service.spec?.selector;
  return service.spec?.type !== 'ExternalName' && s !== undefined && s !== null && typeof s === 'object';
}

function containerPorts(pod: JsonObject): string {
  const spec = pod.spec ?? {};
  return JSON.stringify([...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c: JsonObject) => [c.name, c.ports ?? [], c.restartPolicy ?? null]));
}

/** True when anything an endpoint is built from differs between two versions of a pod. */
export function podEndpointChanged(a: JsonObject, b: JsonObject): boolean {
  return isPodReady(a) !== isPodReady(b) ||
    !!a.metadata?.deletionTimestamp !== !!b.metadata?.deletionTimestamp ||
    a.status?.phase !== b.status?.phase ||
    JSON.stringify(podIPs(a)) !== JSON.stringify(podIPs(b)) ||
    a.spec?.nodeName !== b.spec?.nodeName || a.spec?.hostname !== b.spec?.hostname || a.spec?.subdomain !== b.spec?.subdomain ||
    a.metadata?.uid !== b.metadata?.uid ||
    // The Ready condition's transition time is the trigger time the annotation reports.
    readyTransition(a) !== readyTransition(b) ||
    containerPorts(a) !== containerPorts(b);
}

function readyTransition(pod: JsonObject): string | undefined {
  return (pod.status?.conditions ?? []).find((c: JsonObject) => c.type === 'Ready')?.lastTransitionTime;
}

export function labelsChanged(a: JsonObject, b: JsonObject): boolean {
  const la = a.metadata?.labels ?? {}, lb = b.metadata?.labels ?? {};
  const ka = Object.keys(la), kb = Object.keys(lb);
  return ka.length !== kb.length || ka.some((k) => la[k] !== lb[k]);
}
