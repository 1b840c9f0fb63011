// Tables for k8s.io/api apps/v1 (Deployment, ReplicaSet) and the autoscaling/v1 Scale that the scale
// subresource exchanges. Field numbers from apps/v1 and autoscaling/v1 generated.proto.
import { defineMessages } from './schema.js';

defineMessages('apps', {
  Deployment: 'metadata=1:ObjectMeta spec=2:DeploymentSpec status=3:DeploymentStatus',
  DeploymentSpec: `replicas=1:i32! selector=2:LabelSelector template=3:PodTemplateSpec strategy=4:DeploymentStrategy
    minReadySeconds=5:i32 revisionHistoryLimit=6:i32! paused=7:b progressDeadlineSeconds=9:i32!
    podReplacementPolicy=10!`,
  DeploymentStrategy: 'type=1 rollingUpdate=2:RollingUpdateDeployment',
  RollingUpdateDeployment: 'maxUnavailable=1:IntOrString maxSurge=2:IntOrString',
  DeploymentStatus: `observedGeneration=1:i64 replicas=2:i32 updatedReplicas=3:i32 readyReplicas=7:i32
    availableReplicas=4:i32 unavailableReplicas=5:i32 terminatingReplicas=9:i32! conditions=6:DeploymentCondition[]
    collisionCount=8:i32!`,
  DeploymentCondition: `type=1! status=2! lastUpdateTime=6:Time lastTransitionTime=7:Time reason=4 message=5`,

  ReplicaSet: 'metadata=1:ObjectMeta spec=2:ReplicaSetSpec status=3:ReplicaSetStatus',
  ReplicaSetSpec: 'replicas=1:i32! minReadySeconds=4:i32 selector=2:LabelSelector template=3:PodTemplateSpec',
  ReplicaSetStatus: `replicas=1:i32! fullyLabeledReplicas=2:i32 readyReplicas=4:i32 availableReplicas=5:i32
    terminatingReplicas=7:i32! observedGeneration=3:i64 conditions=6:ReplicaSetCondition[]`,
  ReplicaSetCondition: 'type=1! status=2! lastTransitionTime=3:Time reason=4 message=5',
});

defineMessages('autoscaling', {
  Scale: 'metadata=1:ObjectMeta spec=2:ScaleSpec status=3:ScaleStatus',
  ScaleSpec: 'replicas=1:i32',
  ScaleStatus: 'replicas=1:i32! selector=2',
});
