// Event columns as `kubectl get events` shows them: how long ago it last happened, and what to whom.
// Events written through events.k8s.io carry eventTime and series instead of first/lastTimestamp and
// count; upstream falls back to those, and so does this printer.

import type { KindPrinter, TableCell } from './table.js';
import { NAME_DESCRIPTION, column } from './common.js';
import { translateTimestampSince } from './duration.js';
import type { JsonObject } from '../api/object.js';

/** formatEventSource: `component, host`, falling back to the reporting controller and instance. */
function eventSource(ev: JsonObject): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

/** `pod/web-1`, or just the lowercased kind when the involved object has no name. */
function involvedObject(ev: JsonObject): string {
  const kind = String(ev.involvedObject?.kind ?? '').toLowerCase();
  const name = ev.involvedObject?.name;
  return name ? `${kind}/${name}` : kind;
}

export const eventPrinter: KindPrinter = {
  columns: [
    column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    column('Object', 'string', 'The object that this event is about.'),
    column('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', 1),
    column('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
    column('Message', 'string', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
    column('Count', 'string', 'The number of times this event has occurred.', 1),
    column('Name', 'string', NAME_DESCRIPTION, 1, 'name'),
  ],
  cells(ev: JsonObject, now: Date): TableCell[] {
    const firstSeen = ev.firstTimestamp
      ? translateTimestampSince(ev.firstTimestamp, now)
      : translateTimestampSince(ev.eventTime, now);
    let lastSeen = ev.lastTimestamp ? translateTimestampSince(ev.lastTimestamp, now) : firstSeen;
    let count: number = ev.count ?? 0;
    if (ev.series) {
      lastSeen = translateTimestampSince(ev.series.lastObservedTime, now);
      count = ev.series.count ?? 0;
    } else if (count === 0) {
      count = 1; // singleton events of the new API carry no count
    }
    return [
      lastSeen, ev.type ?? '', ev.reason ?? '', involvedObject(ev), ev.involvedObject?.fieldPath ?? '',
      eventSource(ev), String(ev.message ?? '').trim(), firstSeen, count, ev.metadata?.name ?? '',
    ];
  },
};
