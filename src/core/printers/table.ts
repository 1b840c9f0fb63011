// Server-side printing: the `meta.k8s.io/v1` Table kubectl asks for with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. Without it `kubectl get` prints only NAME and AGE.
//
// As kube-apiserver does (printers storage, `GenerateOptions{Wide: true}`), every row carries the cells of
// every column, wide ones included; kubectl hides `priority: 1` columns unless `-o wide`. Kinds without a
// printer get the apiserver's default convertor: Name and Created At.

import type { KubeObject, ObjectMeta } from '../api/object.js';
import type { ResourceInfo } from '../api/resources.js';
import { defaultPrinter } from './default.js';
import { podPrinter } from './pod.js';
import { servicePrinter } from './service.js';
import { endpointsPrinter, endpointSlicePrinter } from './endpoints.js';
import { deploymentPrinter, replicaSetPrinter } from './workloads.js';
import { controllerRevisionPrinter, cronJobPrinter, daemonSetPrinter, jobPrinter, statefulSetPrinter } from './workload-sets.js';
import { nodePrinter } from './node.js';
import { configMapPrinter, leasePrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from './config.js';
import { eventPrinter } from './event.js';
import { ingressClassPrinter, ingressPrinter, networkPolicyPrinter } from './networking.js';
import { clusterRoleBindingPrinter, roleBindingPrinter, rolePrinter } from './rbac.js';

export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type of the cells: string, integer, number, boolean, date. */
  type: string;
  /** `name` marks the column holding the object's name; otherwise empty. */
  format: string;
  description: string;
  /** 0: always shown; 1: shown only with `-o wide`. */
  priority: number;
}

export type TableCell = string | number | boolean | null;

/** Extra state of a row for a human (upstream sets Completed on finished pods). */
export interface TableRowCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: string;
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: TableCell[];
  conditions?: TableRowCondition[];
  object?: KubeObject | PartialObjectMetadata;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface PrintOptions {
  /** The moment ages are measured from. */
  now: Date;
  /** What `rows[].object` holds; the apiserver default is Metadata (kubectl's `--show-labels` reads it). */
  includeObject?: IncludeObject;
  /** The Table version the client asked for (`v=` in Accept); v1 unless told. */
  version?: 'v1' | 'v1beta1';
  resourceVersion?: string;
  continue?: string;
}

/** What one kind contributes: its columns, and the cells (wide ones included) of one object. */
export interface KindPrinter {
  columns: readonly TableColumnDefinition[];
  cells(obj: any, now: Date): TableCell[];
  conditions?(obj: any): TableRowCondition[] | undefined;
}

const PRINTERS = new Map<string, KindPrinter>([
  ['/Pod', podPrinter],
  ['/Service', servicePrinter],
  ['/Endpoints', endpointsPrinter],
  ['/Node', nodePrinter],
  ['/Namespace', namespacePrinter],
  ['/ConfigMap', configMapPrinter],
  ['/Secret', secretPrinter],
  ['/ServiceAccount', serviceAccountPrinter],
  ['/Event', eventPrinter],
  ['apps/Deployment', deploymentPrinter],
  ['apps/ReplicaSet', replicaSetPrinter],
  ['apps/DaemonSet', daemonSetPrinter],
  ['apps/StatefulSet', statefulSetPrinter],
  ['apps/ControllerRevision', controllerRevisionPrinter],
  ['batch/Job', jobPrinter],
  ['batch/CronJob', cronJobPrinter],
  ['discovery.k8s.io/EndpointSlice', endpointSlicePrinter],
  ['networking.k8s.io/Ingress', ingressPrinter],
  ['networking.k8s.io/IngressClass', ingressClassPrinter],
  ['networking.k8s.io/NetworkPolicy', networkPolicyPrinter],
  ['coordination.k8s.io/Lease', leasePrinter],
  ['rbac.authorization.k8s.io/Role', rolePrinter],
  ['rbac.authorization.k8s.io/ClusterRole', rolePrinter],
  ['rbac.authorization.k8s.io/RoleBinding', roleBindingPrinter],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', clusterRoleBindingPrinter],
]);

/** The printer of a resource: its kind's own, or the default Name / Created At one. */
export function printerFor(resource: ResourceInfo): KindPrinter {
  return PRINTERS.get(`${resource.group}/${resource.kind}`) ?? defaultPrinter;
}

/** Prints objects of one resource as a Table, the way kube-apiserver 1.32 does. */
export function printTable(resource: ResourceInfo, objects: KubeObject[], opts: PrintOptions): Table {
  const printer = printerFor(resource);
  const apiVersion = `meta.k8s.io/${opts.version ?? 'v1'}`;
  const include = opts.includeObject ?? 'Metadata';
  const rows = objects.map((obj): TableRow => {
    const cells = printer.cells(obj, opts.now);
    // A mismatch would make kubectl misalign every column after it: a bug in a printer, never input.
    if (cells.length !== printer.columns.length) {
      throw new Error(`printer for ${resource.kind} produced ${cells.length} cells for ${printer.columns.length} columns`);
    }
    const row: TableRow = { cells };
    const conditions = printer.conditions?.(obj);
    if (conditions) row.conditions = conditions;
    if (include === 'Object') row.object = obj;
    else if (include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata };
    return row;
  });
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  return { kind: 'Table', apiVersion, metadata, columnDefinitions: printer.columns.map((c) => ({ ...c })), rows };
}
