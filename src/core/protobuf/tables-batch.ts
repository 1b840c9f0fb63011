// Tables for k8s.io/api batch/v1 (Job, CronJob), which `kubectl create job` and `kubectl create cronjob`
// send as protobuf. Field numbers from batch/v1 generated.proto. podFailurePolicy and successPolicy are
// not tabled: a body carrying them is refused with a message that says to send JSON (kubectl apply).
import { defineMessages } from './schema.js';

defineMessages('batch', {
  Job: 'metadata=1:ObjectMeta spec=2:JobSpec status=3:JobStatus',
  JobSpec: `parallelism=1:i32! completions=2:i32! activeDeadlineSeconds=3:i64! selector=4:LabelSelector
    manualSelector=5:b! template=6:PodTemplateSpec backoffLimit=7:i32! ttlSecondsAfterFinished=8:i32!
    completionMode=9! suspend=10:b! backoffLimitPerIndex=12:i32! maxFailedIndexes=13:i32! podReplacementPolicy=14!
    managedBy=15!`,
  JobStatus: `conditions=1:JobCondition[] startTime=2:Time completionTime=3:Time active=4:i32 succeeded=5:i32 failed=6:i32
    completedIndexes=7 uncountedTerminatedPods=8:UncountedTerminatedPods ready=9:i32! failedIndexes=10! terminating=11:i32!`,
  JobCondition: 'type=1! status=2! lastProbeTime=3:Time lastTransitionTime=4:Time reason=5 message=6',
  UncountedTerminatedPods: 'succeeded=1[] failed=2[]',
  JobTemplateSpec: 'metadata=1:ObjectMeta spec=2:JobSpec',
  CronJob: 'metadata=1:ObjectMeta spec=2:CronJobSpec status=3:CronJobStatus',
  CronJobSpec: `schedule=1! startingDeadlineSeconds=2:i64! concurrencyPolicy=3 suspend=4:b! jobTemplate=5:JobTemplateSpec
    successfulJobsHistoryLimit=6:i32! failedJobsHistoryLimit=7:i32! timeZone=8!`,
  CronJobStatus: 'active=1:core.ObjectReference[] lastScheduleTime=4:Time lastSuccessfulTime=5:Time',
});
