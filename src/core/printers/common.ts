// Helpers the kind printers share: column definitions, and the small formatters upstream's printers use
// (labels.FormatLabels, metav1.FormatLabelSelector, layoutContainerCells, the "+ N more..." lists).

import type { TableColumnDefinition } from './table.js';
import { fromLabelSelector, selectorString, type LabelSelector } from '../api/labels.js';
import { translateTimestampSince } from './duration.js';
import type { ObjectMeta } from '../api/object.js';

// metav1.ObjectMeta SwaggerDoc texts, shared by every kind's Name and Age columns.
export const NAME_DESCRIPTION = 'Name must be unique within a namespace. Is required when creating resources, '
  + 'although some resources may allow a client to request the generation of an appropriate name automatically. '
  + 'Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. '
  + 'More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const CREATION_TIMESTAMP_DESCRIPTION = 'CreationTimestamp is a timestamp representing the server time when '
  + 'this object was created. It is not guaranteed to be set in happens-before order across separate operations. '
  + 'Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. '
  + 'Read-only. Null for lists. More info: '
  + 'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export function column(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

export const nameColumn = (): TableColumnDefinition => column('Name', 'string', NAME_DESCRIPTION, 0, 'name');
export const ageColumn = (): TableColumnDefinition => column('Age', 'string', CREATION_TIMESTAMP_DESCRIPTION);

export const CONTAINERS_DESCRIPTION = 'Names of each container in the template.';
export const IMAGES_DESCRIPTION = 'Images referenced by each container in the template.';

export function nameOf(obj: { metadata?: ObjectMeta }): string {
  return obj.metadata?.name ?? '';
}

export function ageOf(obj: { metadata?: ObjectMeta }, now: Date): string {
  return translateTimestampSince(obj.metadata?.creationTimestamp, now);
}

/** Go's default string order (bytewise), for the sorted sets upstream prints. */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** labels.FormatLabels: `k=v` pairs sorted by key, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort(byteOrder);
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** labels.Selector.String() of a LabelSelector: requirements sorted by key; "" for none or everything. */
export function labelSelectorString(selector: LabelSelector | undefined | null): string {
  const sel = fromLabelSelector(selector);
  if (!sel) return '';
  return selectorString([...sel].sort((a, b) => byteOrder(a.key, b.key)));
}

/** metav1.FormatLabelSelector: the selector's string form, or `<none>`. */
export function formatLabelSelector(selector: LabelSelector | undefined | null): string {
  return labelSelectorString(selector) || '<none>';
}

/** layoutContainerCells: container names and images, each comma-joined. */
export function layoutContainerCells(containers: { name?: string; image?: string }[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** listWithMoreString: the first entries, then `+ N more...` for the rest; `<unset>` when empty. */
export function listWithMore(items: string[], max = 3): string {
  const shown = items.slice(0, max).join(',');
  if (items.length > max) return `${shown} + ${items.length - max} more...`;
  return shown === '' ? '<unset>' : shown;
}

/** net.JoinHostPort: IPv6 literals get brackets. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Go's sets.NewString(...).List(): distinct and sorted. */
export function sortedSet(items: Iterable<string>): string[] {
  return [...new Set(items)].sort(byteOrder);
}
