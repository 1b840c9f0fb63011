// Tables for the pod template half of k8s.io/api core/v1: PodSpec, containers, probes, security
// contexts, affinity and the common volume sources. Field numbers from core/v1/generated.proto.
// Volume sources for cloud disks and removed in-tree plugins are left out on purpose: a body that uses
// one fails with a message naming the field instead of losing it.
import { defineMessages } from './schema.js';

defineMessages('core', {
  PodTemplateSpec: 'metadata=1:ObjectMeta spec=2:PodSpec',
  PodSpec: `volumes=1:Volume[] initContainers=20:Container[] containers=2:Container[]!
    ephemeralContainers=34:EphemeralContainer[] restartPolicy=3 terminationGracePeriodSeconds=4:i64!
    activeDeadlineSeconds=5:i64! dnsPolicy=6 nodeSelector=7{} serviceAccountName=8 serviceAccount=9
    automountServiceAccountToken=21:b! nodeName=10 hostNetwork=11:b hostPID=12:b hostIPC=13:b
    shareProcessNamespace=27:b! securityContext=14:PodSecurityContext imagePullSecrets=15:LocalObjectReference[]
    hostname=16 subdomain=17 affinity=18:Affinity schedulerName=19 tolerations=22:Toleration[]
    hostAliases=23:HostAlias[] priorityClassName=24 priority=25:i32! dnsConfig=26:PodDNSConfig
    readinessGates=28:PodReadinessGate[] runtimeClassName=29! enableServiceLinks=30:b! preemptionPolicy=31!
    overhead=32:Quantity{} topologySpreadConstraints=33:TopologySpreadConstraint[] setHostnameAsFQDN=35:b!
    os=36:PodOS hostUsers=37:b! schedulingGates=38:PodSchedulingGate[] resourceClaims=39:PodResourceClaim[]
    resources=40:ResourceRequirements hostnameOverride=41!`,
  Container: `name=1! image=2 command=3[] args=4[] workingDir=5 ports=6:ContainerPort[] envFrom=19:EnvFromSource[]
    env=7:EnvVar[] resources=8:ResourceRequirements resizePolicy=23:ContainerResizePolicy[] restartPolicy=24!
    restartPolicyRules=25:ContainerRestartRule[] volumeMounts=9:VolumeMount[] volumeDevices=21:VolumeDevice[]
    livenessProbe=10:Probe readinessProbe=11:Probe startupProbe=22:Probe lifecycle=12:Lifecycle
    terminationMessagePath=13 terminationMessagePolicy=20 imagePullPolicy=14 securityContext=15:SecurityContext
    stdin=16:b stdinOnce=17:b tty=18:b`,
  EphemeralContainer: 'ephemeralContainerCommon=1:EphemeralContainerCommon^ targetContainerName=2',
  // The same fields as Container, by design upstream (it converts one into the other).
  EphemeralContainerCommon: `name=1! image=2 command=3[] args=4[] workingDir=5 ports=6:ContainerPort[]
    envFrom=19:EnvFromSource[] env=7:EnvVar[] resources=8:ResourceRequirements resizePolicy=23:ContainerResizePolicy[]
    restartPolicy=24! restartPolicyRules=25:ContainerRestartRule[] volumeMounts=9:VolumeMount[]
    volumeDevices=21:VolumeDevice[] livenessProbe=10:Probe readinessProbe=11:Probe startupProbe=22:Probe
    lifecycle=12:Lifecycle terminationMessagePath=13 terminationMessagePolicy=20 imagePullPolicy=14
    securityContext=15:SecurityContext stdin=16:b stdinOnce=17:b tty=18:b`,
  ContainerPort: 'name=1 hostPort=2:i32 containerPort=3:i32! protocol=4 hostIP=5',
  ContainerResizePolicy: 'resourceName=1! restartPolicy=2!',
  ContainerRestartRule: 'action=1! exitCodes=2:ContainerRestartRuleOnExitCodes',
  ContainerRestartRuleOnExitCodes: 'operator=1! values=2:i32[]',
  EnvVar: 'name=1! value=2 valueFrom=3:EnvVarSource',
  EnvVarSource: `fieldRef=1:ObjectFieldSelector resourceFieldRef=2:ResourceFieldSelector
    configMapKeyRef=3:ConfigMapKeySelector secretKeyRef=4:SecretKeySelector fileKeyRef=5:FileKeySelector`,
  ObjectFieldSelector: 'apiVersion=1 fieldPath=2!',
  ResourceFieldSelector: 'containerName=1 resource=2! divisor=3:Quantity',
  ConfigMapKeySelector: 'localObjectReference=1:LocalObjectReference^ key=2! optional=3:b!',
  SecretKeySelector: 'localObjectReference=1:LocalObjectReference^ key=2! optional=3:b!',
  FileKeySelector: 'volumeName=1! path=2! key=3! optional=4:b!',
  EnvFromSource: 'prefix=1 configMapRef=2:ConfigMapEnvSource secretRef=3:SecretEnvSource',
  ConfigMapEnvSource: 'localObjectReference=1:LocalObjectReference^ optional=2:b!',
  SecretEnvSource: 'localObjectReference=1:LocalObjectReference^ optional=2:b!',
  LocalObjectReference: 'name=1',
  ResourceRequirements: 'limits=1:Quantity{} requests=2:Quantity{} claims=3:ResourceClaim[]',
  ResourceClaim: 'name=1! request=2',
  VolumeMount: `name=1! readOnly=2:b recursiveReadOnly=7! mountPath=3! subPath=4 mountPropagation=5!
    subPathExpr=6`,
  VolumeDevice: 'name=1! devicePath=2!',
  Probe: `handler=1:ProbeHandler^ initialDelaySeconds=2:i32 timeoutSeconds=3:i32 periodSeconds=4:i32
    successThreshold=5:i32 failureThreshold=6:i32 terminationGracePeriodSeconds=7:i64!`,
  ProbeHandler: 'exec=1:ExecAction httpGet=2:HTTPGetAction tcpSocket=3:TCPSocketAction grpc=4:GRPCAction',
  ExecAction: 'command=1[]',
  HTTPGetAction: 'path=1 port=2:IntOrString host=3 scheme=4 httpHeaders=5:HTTPHeader[]',
  HTTPHeader: 'name=1! value=2!',
  TCPSocketAction: 'port=1:IntOrString host=2',
  GRPCAction: 'port=1:i32! service=2!',
  Lifecycle: 'postStart=1:LifecycleHandler preStop=2:LifecycleHandler stopSignal=3!',
  LifecycleHandler: 'exec=1:ExecAction httpGet=2:HTTPGetAction tcpSocket=3:TCPSocketAction sleep=4:SleepAction',
  SleepAction: 'seconds=1:i64!',
  SecurityContext: `capabilities=1:Capabilities privileged=2:b! seLinuxOptions=3:SELinuxOptions
    windowsOptions=10:WindowsSecurityContextOptions runAsUser=4:i64! runAsGroup=8:i64! runAsNonRoot=5:b!
    readOnlyRootFilesystem=6:b! allowPrivilegeEscalation=7:b! procMount=9! seccompProfile=11:SeccompProfile
    appArmorProfile=12:AppArmorProfile`,
  Capabilities: 'add=1[] drop=2[]',
  SELinuxOptions: 'user=1 role=2 type=3 level=4',
  WindowsSecurityContextOptions: 'gmsaCredentialSpecName=1! gmsaCredentialSpec=2! runAsUserName=3! hostProcess=4:b!',
  SeccompProfile: 'type=1! localhostProfile=2!',
  AppArmorProfile: 'type=1! localhostProfile=2!',
  PodSecurityContext: `seLinuxOptions=1:SELinuxOptions windowsOptions=8:WindowsSecurityContextOptions
    runAsUser=2:i64! runAsGroup=6:i64! runAsNonRoot=3:b! supplementalGroups=4:i64[] supplementalGroupsPolicy=12!
    fsGroup=5:i64! sysctls=7:Sysctl[] fsGroupChangePolicy=9! seccompProfile=10:SeccompProfile
    appArmorProfile=11:AppArmorProfile seLinuxChangePolicy=13!`,
  Sysctl: 'name=1! value=2!',
  Affinity: 'nodeAffinity=1:NodeAffinity podAffinity=2:PodAffinity podAntiAffinity=3:PodAntiAffinity',
  NodeAffinity: `requiredDuringSchedulingIgnoredDuringExecution=1:NodeSelector
    preferredDuringSchedulingIgnoredDuringExecution=2:PreferredSchedulingTerm[]`,
  NodeSelector: 'nodeSelectorTerms=1:NodeSelectorTerm[]!',
  NodeSelectorTerm: 'matchExpressions=1:NodeSelectorRequirement[] matchFields=2:NodeSelectorRequirement[]',
  NodeSelectorRequirement: 'key=1! operator=2! values=3[]',
  PreferredSchedulingTerm: 'weight=1:i32! preference=2:NodeSelectorTerm',
  PodAffinity: `requiredDuringSchedulingIgnoredDuringExecution=1:PodAffinityTerm[]
    preferredDuringSchedulingIgnoredDuringExecution=2:WeightedPodAffinityTerm[]`,
  PodAntiAffinity: `requiredDuringSchedulingIgnoredDuringExecution=1:PodAffinityTerm[]
    preferredDuringSchedulingIgnoredDuringExecution=2:WeightedPodAffinityTerm[]`,
  PodAffinityTerm: `labelSelector=1:LabelSelector namespaces=2[] topologyKey=3! namespaceSelector=4:LabelSelector
    matchLabelKeys=5[] mismatchLabelKeys=6[]`,
  WeightedPodAffinityTerm: 'weight=1:i32! podAffinityTerm=2:PodAffinityTerm',
  Toleration: 'key=1 operator=2 value=3 effect=4 tolerationSeconds=5:i64!',
  HostAlias: 'ip=1! hostnames=2[]',
  PodDNSConfig: 'nameservers=1[] searches=2[] options=3:PodDNSConfigOption[]',
  PodDNSConfigOption: 'name=1 value=2!',
  PodReadinessGate: 'conditionType=1!',
  TopologySpreadConstraint: `maxSkew=1:i32! topologyKey=2! whenUnsatisfiable=3! labelSelector=4:LabelSelector
    minDomains=5:i32! nodeAffinityPolicy=6! nodeTaintsPolicy=7! matchLabelKeys=8[]`,
  PodOS: 'name=1!',
  PodSchedulingGate: 'name=1!',
  PodResourceClaim: 'name=1! resourceClaimName=3! resourceClaimTemplateName=4!',

  Volume: 'name=1! volumeSource=2:VolumeSource^',
  VolumeSource: `hostPath=1:HostPathVolumeSource emptyDir=2:EmptyDirVolumeSource secret=6:SecretVolumeSource
    nfs=7:NFSVolumeSource persistentVolumeClaim=10:PersistentVolumeClaimVolumeSource
    downwardAPI=16:DownwardAPIVolumeSource configMap=19:ConfigMapVolumeSource projected=26:ProjectedVolumeSource
    csi=28:CSIVolumeSource image=30:ImageVolumeSource`,
  HostPathVolumeSource: 'path=1! type=2!',
  EmptyDirVolumeSource: 'medium=1 sizeLimit=2:Quantity',
  SecretVolumeSource: 'secretName=1 items=2:KeyToPath[] defaultMode=3:i32! optional=4:b!',
  KeyToPath: 'key=1! path=2! mode=3:i32!',
  NFSVolumeSource: 'server=1! path=2! readOnly=3:b',
  PersistentVolumeClaimVolumeSource: 'claimName=1! readOnly=2:b',
  DownwardAPIVolumeSource: 'items=1:DownwardAPIVolumeFile[] defaultMode=2:i32!',
  DownwardAPIVolumeFile: `path=1! fieldRef=2:ObjectFieldSelector resourceFieldRef=3:ResourceFieldSelector
    mode=4:i32!`,
  ConfigMapVolumeSource: `localObjectReference=1:LocalObjectReference^ items=2:KeyToPath[] defaultMode=3:i32!
    optional=4:b!`,
  ProjectedVolumeSource: 'sources=1:VolumeProjection[]! defaultMode=2:i32!',
  VolumeProjection: `secret=1:SecretProjection downwardAPI=2:DownwardAPIProjection configMap=3:ConfigMapProjection
    serviceAccountToken=4:ServiceAccountTokenProjection clusterTrustBundle=5:ClusterTrustBundleProjection`,
  SecretProjection: 'localObjectReference=1:LocalObjectReference^ items=2:KeyToPath[] optional=4:b!',
  ConfigMapProjection: 'localObjectReference=1:LocalObjectReference^ items=2:KeyToPath[] optional=4:b!',
  DownwardAPIProjection: 'items=1:DownwardAPIVolumeFile[]',
  ServiceAccountTokenProjection: 'audience=1 expirationSeconds=2:i64! path=3!',
  ClusterTrustBundleProjection: `name=1! signerName=2! labelSelector=3:LabelSelector optional=5:b! path=4!`,
  CSIVolumeSource: `driver=1! readOnly=2:b! fsType=3! volumeAttributes=4{}
    nodePublishSecretRef=5:LocalObjectReference`,
  ImageVolumeSource: 'reference=1 pullPolicy=2',
});
