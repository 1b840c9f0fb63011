// The apiserver's default TableConvertor (apiserver `registry/rest/table.go`), for kinds that have no
// printer of their own: the name, and the creation time in RFC 3339 (UTC) rather than as an age.

import type { KindPrinter } from './table.js';
import { CREATION_TIMESTAMP_DESCRIPTION, column, nameColumn, nameOf } from './common.js';
import { parseTimestamp } from './duration.js';

/** time.Time.UTC().Format(time.RFC3339): second precision; the zero time when the field is missing. */
function rfc3339(timestamp: string | null | undefined): string {
  const t = parseTimestamp(timestamp);
  if (t === undefined) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const defaultPrinter: KindPrinter = {
  columns: [nameColumn(), column('Created At', 'date', CREATION_TIMESTAMP_DESCRIPTION)],
  cells: (obj) => [nameOf(obj), rfc3339(obj.metadata?.creationTimestamp)],
};
