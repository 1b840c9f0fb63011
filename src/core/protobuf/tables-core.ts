// Tables for the kinds of k8s.io/api core/v1 that podnet serves: Namespace, Service, ConfigMap, Secret,
// ServiceAccount, Endpoints, Event, Node, Pod (spec tables in tables-core-pod.ts) and Binding.
// Field numbers from core/v1/generated.proto.
import { defineMessages } from './schema.js';

defineMessages('core', {
  Namespace: 'metadata=1:ObjectMeta spec=2:NamespaceSpec status=3:NamespaceStatus',
  NamespaceSpec: 'finalizers=1[]',
  NamespaceStatus: 'phase=1 conditions=2:NamespaceCondition[]',
  NamespaceCondition: 'type=1! status=2! lastTransitionTime=4:Time reason=5 message=6',

  Service: 'metadata=1:ObjectMeta spec=2:ServiceSpec status=3:ServiceStatus',
  ServiceSpec: `ports=1:ServicePort[] selector=2{} clusterIP=3 clusterIPs=18[] type=4 externalIPs=5[]
    sessionAffinity=7 loadBalancerIP=8 loadBalancerSourceRanges=9[] externalName=10 externalTrafficPolicy=11
    healthCheckNodePort=12:i32 publishNotReadyAddresses=13:b sessionAffinityConfig=14:SessionAffinityConfig
    ipFamilies=19[] ipFamilyPolicy=17! allocateLoadBalancerNodePorts=20:b! loadBalancerClass=21!
    internalTrafficPolicy=22! trafficDistribution=23!`,
  ServicePort: 'name=1 protocol=2 appProtocol=6! port=3:i32! targetPort=4:IntOrString nodePort=5:i32',
  SessionAffinityConfig: 'clientIP=1:ClientIPConfig',
  ClientIPConfig: 'timeoutSeconds=1:i32!',
  ServiceStatus: 'loadBalancer=1:LoadBalancerStatus conditions=2:Condition[]',
  LoadBalancerStatus: 'ingress=1:LoadBalancerIngress[]',
  LoadBalancerIngress: 'ip=1 hostname=2 ipMode=3! ports=4:PortStatus[]',
  PortStatus: 'port=1:i32! protocol=2! error=3!',

  ConfigMap: 'metadata=1:ObjectMeta immutable=4:b! data=2{} binaryData=3:bytes{}',
  Secret: 'metadata=1:ObjectMeta immutable=5:b! data=2:bytes{} stringData=4{} type=3',
  ServiceAccount: `metadata=1:ObjectMeta secrets=2:ObjectReference[] imagePullSecrets=3:LocalObjectReference[]
    automountServiceAccountToken=4:b!`,
  ObjectReference: 'kind=1 namespace=2 name=3 uid=4 apiVersion=5 resourceVersion=6 fieldPath=7',
  TypedLocalObjectReference: 'apiGroup=1! kind=2! name=3!',
  Binding: 'metadata=1:ObjectMeta target=2:ObjectReference',

  Endpoints: 'metadata=1:ObjectMeta subsets=2:EndpointSubset[]',
  EndpointSubset: 'addresses=1:EndpointAddress[] notReadyAddresses=2:EndpointAddress[] ports=3:EndpointPort[]',
  EndpointAddress: 'ip=1! hostname=3 nodeName=4! targetRef=2:ObjectReference',
  EndpointPort: 'name=1 port=2:i32! protocol=3 appProtocol=4!',

  Event: `metadata=1:ObjectMeta involvedObject=2:ObjectReference reason=3 message=4 source=5:EventSource
    firstTimestamp=6:Time lastTimestamp=7:Time count=8:i32 type=9 eventTime=10:MicroTime series=11:EventSeries
    action=12 related=13:ObjectReference reportingComponent=14! reportingInstance=15!`,
  EventSource: 'component=1 host=2',
  EventSeries: 'count=1:i32 lastObservedTime=2:MicroTime',

  Node: 'metadata=1:ObjectMeta spec=2:NodeSpec status=3:NodeStatus',
  NodeSpec: `podCIDR=1 podCIDRs=7[] providerID=3 unschedulable=4:b taints=5:Taint[]
    configSource=6:NodeConfigSource externalID=2`,
  Taint: 'key=1! value=2 effect=3! timeAdded=4:Time',
  NodeConfigSource: 'configMap=2:ConfigMapNodeConfigSource',
  ConfigMapNodeConfigSource: 'namespace=1! name=2! uid=3 resourceVersion=4 kubeletConfigKey=5!',
  NodeStatus: `capacity=1:Quantity{} allocatable=2:Quantity{} phase=3 conditions=4:NodeCondition[]
    addresses=5:NodeAddress[] daemonEndpoints=6:NodeDaemonEndpoints nodeInfo=7:NodeSystemInfo
    images=8:ContainerImage[] volumesInUse=9[] volumesAttached=10:AttachedVolume[] config=11:NodeConfigStatus
    runtimeHandlers=12:NodeRuntimeHandler[] features=13:NodeFeatures declaredFeatures=14[]`,
  NodeCondition: 'type=1! status=2! lastHeartbeatTime=3:Time lastTransitionTime=4:Time reason=5 message=6',
  NodeAddress: 'type=1! address=2!',
  NodeDaemonEndpoints: 'kubeletEndpoint=1:DaemonEndpoint',
  DaemonEndpoint: 'Port=1:i32!',
  NodeSystemInfo: `machineID=1! systemUUID=2! bootID=3! kernelVersion=4! osImage=5! containerRuntimeVersion=6!
    kubeletVersion=7! kubeProxyVersion=8! operatingSystem=9! architecture=10! swap=11:NodeSwapStatus`,
  NodeSwapStatus: 'capacity=1:i64!',
  ContainerImage: 'names=1[]! sizeBytes=2:i64',
  AttachedVolume: 'name=1! devicePath=2!',
  NodeConfigStatus: `assigned=1:NodeConfigSource active=2:NodeConfigSource lastKnownGood=3:NodeConfigSource
    error=4`,
  NodeRuntimeHandler: 'name=1! features=2:NodeRuntimeHandlerFeatures',
  NodeRuntimeHandlerFeatures: 'recursiveReadOnlyMounts=1:b! userNamespaces=2:b!',
  NodeFeatures: 'supplementalGroupsPolicy=1:b!',

  Pod: 'metadata=1:ObjectMeta spec=2:PodSpec status=3:PodStatus',
  PodStatus: `observedGeneration=17:i64 phase=1 conditions=2:PodCondition[] message=3 reason=4
    nominatedNodeName=11 hostIP=5 hostIPs=16:HostIP[] podIP=6 podIPs=12:PodIP[] startTime=7:Time
    initContainerStatuses=10:ContainerStatus[] containerStatuses=8:ContainerStatus[] qosClass=9
    ephemeralContainerStatuses=13:ContainerStatus[] resize=14 resourceClaimStatuses=15:PodResourceClaimStatus[]`,
  PodCondition: `type=1! observedGeneration=7:i64 status=2! lastProbeTime=3:Time lastTransitionTime=4:Time
    reason=5 message=6`,
  PodIP: 'ip=1!',
  HostIP: 'ip=1!',
  PodResourceClaimStatus: 'name=1! resourceClaimName=2!',
  ContainerStatus: `name=1! state=2:ContainerState lastState=3:ContainerState ready=4:b! restartCount=5:i32!
    image=6! imageID=7! containerID=8 started=9:b! allocatedResources=10:Quantity{}
    resources=11:ResourceRequirements volumeMounts=12:VolumeMountStatus[] user=13:ContainerUser
    allocatedResourcesStatus=14:ResourceStatus[] stopSignal=15!`,
  ContainerState: `waiting=1:ContainerStateWaiting running=2:ContainerStateRunning
    terminated=3:ContainerStateTerminated`,
  ContainerStateWaiting: 'reason=1 message=2',
  ContainerStateRunning: 'startedAt=1:Time',
  ContainerStateTerminated: `exitCode=1:i32! signal=2:i32 reason=3 message=4 startedAt=5:Time finishedAt=6:Time
    containerID=7`,
  VolumeMountStatus: 'name=1! mountPath=2! readOnly=3:b recursiveReadOnly=4! volumeStatus=5:VolumeStatus',
  VolumeStatus: 'image=1:ImageVolumeStatus',
  ImageVolumeStatus: 'imageRef=1!',
  ContainerUser: 'linux=1:LinuxContainerUser',
  LinuxContainerUser: 'uid=1:i64! gid=2:i64! supplementalGroups=3:i64[]',
  ResourceStatus: 'name=1! resources=2:ResourceHealth[]',
  ResourceHealth: 'resourceID=1! health=2',
});
