// Endpoints and EndpointSlice columns. Both show at most three addresses and then `+ N more...`, as
// upstream's formatEndpoints and formatDiscoveryEndpoints do, so wide Services stay on one line.

import type { KindPrinter, TableCell } from './table.js';
import { ageColumn, ageOf, column, joinHostPort, listWithMore, nameColumn, nameOf } from './common.js';
import type { JsonObject } from '../api/object.js';

const MAX_SHOWN = 3;

/**
 * `10.244.1.2:80,10.244.2.3:80,10.244.1.4:80 + 2 more...`: every ready address with every port, subset by
 * subset; bare IPs for a subset without ports (headless Services may have none). Not-ready addresses are
 * not listed. `<none>` when there is no subset at all.
 */
export function formatEndpoints(endpoints: JsonObject): string {
  const subsets: JsonObject[] = endpoints.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addresses: JsonObject[] = ss.addresses ?? [];
    const ports: JsonObject[] = ss.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) if (list.length < MAX_SHOWN) list.push(a.ip);
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) if (list.length < MAX_SHOWN) list.push(joinHostPort(a.ip, port.port));
    }
  }
  const shown = list.join(',');
  return count > MAX_SHOWN ? `${shown} + ${count - MAX_SHOWN} more...` : shown;
}

export const endpointsPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Endpoints', 'string', 'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share.'),
    ageColumn(),
  ],
  cells: (ep: JsonObject, now: Date): TableCell[] => [nameOf(ep), formatEndpoints(ep), ageOf(ep, now)],
};

/** Slice ports: the number, else the name, else `*` (a port that matches all). */
function discoveryPorts(ports: JsonObject[] | undefined): string {
  return listWithMore((ports ?? []).map((p) => (p.port != null ? String(p.port) : p.name ?? '*')), MAX_SHOWN);
}

function discoveryEndpoints(endpoints: JsonObject[] | undefined): string {
  return listWithMore((endpoints ?? []).flatMap((e) => (e.addresses ?? []) as string[]), MAX_SHOWN);
}

export const endpointSlicePrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type.'),
    column('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    column('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.'),
    ageColumn(),
  ],
  cells: (slice: JsonObject, now: Date): TableCell[] => [
    nameOf(slice), slice.addressType ?? '', discoveryPorts(slice.ports), discoveryEndpoints(slice.endpoints), ageOf(slice, now),
  ],
};
