// Well-known labels and annotations of the workload kinds (k8s.io/api apps/v1 and batch/v1 constants),
// shared by the API server's strategies and the controllers.

/** apps/v1 DaemonSets keep their internal spec.templateGeneration here. */
export const DAEMONSET_TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';
/** Label on daemon pods: the template generation they were made from. */
export const POD_TEMPLATE_GENERATION = 'pod-template-generation';
/** Label on daemon and stateful pods and on ControllerRevisions. */
export const CONTROLLER_REVISION_HASH = 'controller-revision-hash';
export const STATEFULSET_POD_NAME = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX = 'apps.kubernetes.io/pod-index';
export const JOB_NAME = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_NAME = 'job-name';
export const JOB_CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
export const LEGACY_CONTROLLER_UID = 'controller-uid';
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const CRONJOB_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
