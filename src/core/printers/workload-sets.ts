// DaemonSet, StatefulSet, ControllerRevision, Job and CronJob columns as kube-apiserver 1.32 prints them
// (pkg/printers/internalversion: printDaemonSet, printStatefulSet, printControllerRevision, printJob,
// printCronJob), wide columns included.
import type { KindPrinter, TableCell } from './table.js';
import {
  CONTAINERS_DESCRIPTION, IMAGES_DESCRIPTION, ageColumn, ageOf, column, formatLabelSelector, formatLabels, layoutContainerCells,
  nameColumn, nameOf,
} from './common.js';
import { humanDuration, parseTimestamp, translateTimestampSince } from './duration.js';
import type { JsonObject } from '../api/object.js';

export const daemonSetPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
    column('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    column('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
    column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    column('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    column('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node\'s labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/'),
    ageColumn(),
    column('Containers', 'string', CONTAINERS_DESCRIPTION, 1),
    column('Images', 'string', IMAGES_DESCRIPTION, 1),
    column('Selector', 'string', 'A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template\'s labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', 1),
  ],
  cells(ds: JsonObject, now: Date): TableCell[] {
    const s = ds.status ?? {};
    const [names, images] = layoutContainerCells(ds.spec?.template?.spec?.containers);
    return [
      nameOf(ds), s.desiredNumberScheduled ?? 0, s.currentNumberScheduled ?? 0, s.numberReady ?? 0, s.updatedNumberScheduled ?? 0,
      s.numberAvailable ?? 0, formatLabels(ds.spec?.template?.spec?.nodeSelector), ageOf(ds, now), names, images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};

export const statefulSetPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Number of the pod with ready state'),
    ageColumn(),
    column('Containers', 'string', CONTAINERS_DESCRIPTION, 1),
    column('Images', 'string', IMAGES_DESCRIPTION, 1),
  ],
  cells(sts: JsonObject, now: Date): TableCell[] {
    const [names, images] = layoutContainerCells(sts.spec?.template?.spec?.containers);
    return [nameOf(sts), `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 1}`, ageOf(sts, now), names, images];
  },
};

export const controllerRevisionPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'integer', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn(),
  ],
  cells(cr: JsonObject, now: Date): TableCell[] {
    const ref = (cr.metadata?.ownerReferences ?? []).find((r: JsonObject) => r.controller === true);
    let controller = '<none>';
    if (ref) {
      const group = String(ref.apiVersion ?? '').includes('/') ? String(ref.apiVersion).split('/')[0] : '';
      controller = `${`${ref.kind}${group ? `.${group}` : ''}`.toLowerCase()}/${ref.name}`;
    }
    return [nameOf(cr), controller, cr.revision ?? 0, ageOf(cr, now)];
  },
};

const hasCondition = (job: JsonObject, type: string) => (job.status?.conditions ?? []).some((c: JsonObject) => c.type === type && c.status === 'True');

export const jobPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', 'The desired number of successfully finished pods the job should be run with.'),
    column('Duration', 'string', 'Time required to complete the job.'),
    ageColumn(),
    column('Containers', 'string', CONTAINERS_DESCRIPTION, 1),
    column('Images', 'string', IMAGES_DESCRIPTION, 1),
    column('Selector', 'string', 'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', 1),
  ],
  cells(job: JsonObject, now: Date): TableCell[] {
    const spec = job.spec ?? {}, st = job.status ?? {};
    const succeeded = st.succeeded ?? 0;
    let completions: string;
    if (typeof spec.completions === 'number') completions = `${succeeded}/${spec.completions}`;
    else if (typeof spec.parallelism === 'number' && spec.parallelism > 1) completions = `${succeeded}/1 of ${spec.parallelism}`;
    else completions = `${succeeded}/1`;
    const start = parseTimestamp(st.startTime), end = parseTimestamp(st.completionTime);
    const duration = start === undefined ? '' : humanDuration((end ?? now.getTime()) - start);
    let status = 'Running';
    if (hasCondition(job, 'Complete')) status = 'Complete';
    else if (hasCondition(job, 'Failed')) status = 'Failed';
    else if (job.metadata?.deletionTimestamp) status = 'Terminating';
    else if (hasCondition(job, 'Suspended')) status = 'Suspended';
    else if (hasCondition(job, 'FailureTarget')) status = 'FailureTarget';
    else if (hasCondition(job, 'SuccessCriteriaMet')) status = 'SuccessCriteriaMet';
    const [names, images] = layoutContainerCells(spec.template?.spec?.containers);
    return [nameOf(job), status, completions, duration, ageOf(job, now), names, images, formatLabelSelector(spec.selector)];
  },
};

export const cronJobPrinter: KindPrinter = {
  columns: [
    nameColumn(),
    column('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    column('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones'),
    column('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.'),
    column('Active', 'integer', 'A list of pointers to currently running jobs.'),
    column('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn(),
    column('Containers', 'string', CONTAINERS_DESCRIPTION, 1),
    column('Images', 'string', IMAGES_DESCRIPTION, 1),
    column('Selector', 'string', 'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', 1),
  ],
  cells(cj: JsonObject, now: Date): TableCell[] {
    const spec = cj.spec ?? {}, st = cj.status ?? {};
    const last = st.lastScheduleTime ? translateTimestampSince(st.lastScheduleTime, now) : '<none>';
    const [names, images] = layoutContainerCells(spec.jobTemplate?.spec?.template?.spec?.containers);
    return [
      // printBoolPtr: the column is typed boolean but the cell is the text True/False (<unset> when nil).
      nameOf(cj), spec.schedule ?? '', spec.timeZone ?? '<none>', typeof spec.suspend === 'boolean' ? (spec.suspend ? 'True' : 'False') : '<unset>',
      (st.active ?? []).length, last, ageOf(cj, now),
      names, images, formatLabelSelector(spec.jobTemplate?.spec?.selector),
    ];
  },
};
