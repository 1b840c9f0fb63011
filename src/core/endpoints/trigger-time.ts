// The `endpoints.kubernetes.io/last-change-trigger-time` annotation (upstream TriggerTimeTracker): the
// moment of the earliest change, since the previous sync of a Service, that this sync publishes — the
// start of the network-programming-latency SLI that proxies measure up to the moment their rules apply.
// A pod's change time is its Ready condition's lastTransitionTime; a Service's is its creation. The first
// sync of a Service reports the Service's creation; a sync with nothing new reports nothing (and the
// slices it writes lose the annotation, as upstream).
import type { JsonObject } from '../api/object.js';

interface State { pods: Map<string, number>; service: number }

function parseTime(s: unknown): number | undefined {
  if (typeof s !== 'string' || !s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** RFC 3339 as Go's time.RFC3339Nano prints it: fractional seconds only when there are any. */
export function formatTriggerTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z').replace(/(\.\d*?)0+Z$/, '$1Z');
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, State>();

  /**
   * Updates the Service's state from the pods it selects now and returns the trigger time to publish
   * (RFC 3339), or undefined for none. Call it on every sync, also when nothing is written, so that
   * the state follows the cache.
   */
  compute(serviceKey: string, service: JsonObject, pods: JsonObject[]): string | undefined {
    const prior = this.states.get(serviceKey);
    const next: State = { pods: new Map(), service: parseTime(service.metadata?.creationTimestamp) ?? 0 };
    let min: number | undefined;
    for (const pod of pods) {
      const ready = (pod.status?.conditions ?? []).find((c: JsonObject) => c.type === 'Ready');
      const t = parseTime(ready?.lastTransitionTime);
      if (t === undefined) continue;
      next.pods.set(pod.metadata.name, t);
      if (t > (prior?.pods.get(pod.metadata.name) ?? -Infinity)) min = min === undefined ? t : Math.min(min, t);
    }
    if (next.service > (prior?.service ?? -Infinity)) min = min === undefined ? next.service : Math.min(min, next.service);
    this.states.set(serviceKey, next);
    if (!prior) return next.service ? formatTriggerTime(next.service) : undefined;
    return min === undefined ? undefined : formatTriggerTime(min);
  }

  delete(serviceKey: string): void {
    this.states.delete(serviceKey);
  }
}
