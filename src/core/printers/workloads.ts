// Deployment and ReplicaSet columns: replica counts, and (wide) the template's containers, images and
// the selector.

import type { KindPrinter, TableCell } from './table.js';
import {
  CONTAINERS_DESCRIPTION, IMAGES_DESCRIPTION, ageColumn, ageOf, column, formatLabelSelector, labelSelectorString,
  layoutContainerCells, nameColumn, nameOf,
} from './common.js';
import type { JsonObject } from '../api/object.js';

/** spec.replicas, defaulted to 1 as the apps/v1 defaulting does when it is unset. */
function desiredReplicas(obj: JsonObject): number {
  return obj.spec?.replicas ?? 1;
}

export const deploymentPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    column('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn(),
    column('Containers', 'string', CONTAINERS_DESCRIPTION, 1),
    column('Images', 'string', IMAGES_DESCRIPTION, 1),
    column('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
  ],
  cells(d: JsonObject, now: Date): TableCell[] {
    const status = d.status ?? {};
    const [names, images] = layoutContainerCells(d.spec?.template?.spec?.containers);
    // Upstream prints the selector's String() here, not FormatLabelSelector: no `<none>` when empty.
    return [
      nameOf(d), `${status.readyReplicas ?? 0}/${desiredReplicas(d)}`, status.updatedReplicas ?? 0,
      status.availableReplicas ?? 0, ageOf(d, now), names, images, labelSelectorString(d.spec?.selector),
    ];
  },
};

export const replicaSetPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.'),
    column('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    column('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    ageColumn(),
    column('Containers', 'string', CONTAINERS_DESCRIPTION, 1),
    column('Images', 'string', IMAGES_DESCRIPTION, 1),
    column('Selector', 'string', 'Selector is a label query over pods that should match the replica count.', 1),
  ],
  cells(rs: JsonObject, now: Date): TableCell[] {
    const status = rs.status ?? {};
    const [names, images] = layoutContainerCells(rs.spec?.template?.spec?.containers);
    return [
      nameOf(rs), desiredReplicas(rs), status.replicas ?? 0, status.readyReplicas ?? 0, ageOf(rs, now),
      names, images, formatLabelSelector(rs.spec?.selector),
    ];
  },
};
