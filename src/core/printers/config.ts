// Namespace, ConfigMap, Secret, ServiceAccount and Lease columns: small kinds whose rows are mostly counts.

import type { KindPrinter, TableCell } from './table.js';
import { ageColumn, ageOf, column, nameColumn, nameOf } from './common.js';
import type { JsonObject } from '../api/object.js';

export const namespacePrinter: KindPrinter = {
  columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
  cells: (ns: JsonObject, now: Date): TableCell[] => [nameOf(ns), ns.status?.phase ?? '', ageOf(ns, now)],
};

export const configMapPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Data', 'string', "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'."),
    ageColumn(),
  ],
  // Binary keys count too: `kubectl get cm` shows how many files the ConfigMap would mount.
  cells: (cm: JsonObject, now: Date): TableCell[] => [
    nameOf(cm), Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, ageOf(cm, now),
  ],
};

/** Keys of a Secret as the internal type holds them: stringData is merged into data on conversion. */
function secretKeys(secret: JsonObject): number {
  return new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})]).size;
}

export const secretPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Type', 'string', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
    column('Data', 'string', "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'."),
    ageColumn(),
  ],
  cells: (s: JsonObject, now: Date): TableCell[] => [nameOf(s), s.type ?? '', secretKeys(s), ageOf(s, now)],
};

export const serviceAccountPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'),
    ageColumn(),
  ],
  cells: (sa: JsonObject, now: Date): TableCell[] => [nameOf(sa), (sa.secrets ?? []).length, ageOf(sa, now)],
};

export const leasePrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'),
    ageColumn(),
  ],
  cells: (l: JsonObject, now: Date): TableCell[] => [nameOf(l), l.spec?.holderIdentity ?? '', ageOf(l, now)],
};
