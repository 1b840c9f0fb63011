// Tables for k8s.io/api networking/v1 (Ingress, IngressClass, NetworkPolicy) and discovery/v1
// (EndpointSlice). Field numbers from their generated.proto files. discovery's EndpointPort differs from
// core's (other numbers, every field a pointer), hence the package-qualified names.
import { defineMessages } from './schema.js';

defineMessages('networking', {
  Ingress: 'metadata=1:ObjectMeta spec=2:IngressSpec status=3:IngressStatus',
  IngressSpec: `ingressClassName=4! defaultBackend=1:IngressBackend tls=2:IngressTLS[] rules=3:IngressRule[]`,
  IngressBackend: 'service=4:IngressServiceBackend resource=3:TypedLocalObjectReference',
  IngressServiceBackend: 'name=1! port=2:ServiceBackendPort',
  ServiceBackendPort: 'name=1 number=2:i32',
  IngressRule: 'host=1 ingressRuleValue=2:IngressRuleValue^',
  IngressRuleValue: 'http=1:HTTPIngressRuleValue',
  HTTPIngressRuleValue: 'paths=1:HTTPIngressPath[]!',
  HTTPIngressPath: 'path=1 pathType=3! backend=2:IngressBackend',
  IngressTLS: 'hosts=1[] secretName=2',
  IngressStatus: 'loadBalancer=1:IngressLoadBalancerStatus',
  IngressLoadBalancerStatus: 'ingress=1:IngressLoadBalancerIngress[]',
  IngressLoadBalancerIngress: 'ip=1 hostname=2 ports=4:IngressPortStatus[]',
  IngressPortStatus: 'port=1:i32! protocol=2! error=3!',

  IngressClass: 'metadata=1:ObjectMeta spec=2:IngressClassSpec',
  IngressClassSpec: 'controller=1 parameters=2:IngressClassParametersReference',
  // The proto field is spelled aPIGroup; its JSON name is apiGroup.
  IngressClassParametersReference: 'apiGroup=1! kind=2! name=3! scope=4! namespace=5!',

  NetworkPolicy: 'metadata=1:ObjectMeta spec=2:NetworkPolicySpec',
  NetworkPolicySpec: `podSelector=1:LabelSelector ingress=2:NetworkPolicyIngressRule[]
    egress=3:NetworkPolicyEgressRule[] policyTypes=4[]`,
  NetworkPolicyIngressRule: 'ports=1:NetworkPolicyPort[] from=2:NetworkPolicyPeer[]',
  NetworkPolicyEgressRule: 'ports=1:NetworkPolicyPort[] to=2:NetworkPolicyPeer[]',
  NetworkPolicyPeer: 'podSelector=1:LabelSelector namespaceSelector=2:LabelSelector ipBlock=3:IPBlock',
  IPBlock: 'cidr=1! except=2[]',
  NetworkPolicyPort: 'protocol=1! port=2:IntOrString endPort=3:i32!',
});

defineMessages('discovery', {
  EndpointSlice: 'metadata=1:ObjectMeta addressType=4! endpoints=2:Endpoint[]! ports=3:EndpointPort[]',
  Endpoint: `addresses=1[]! conditions=2:EndpointConditions hostname=3! targetRef=4:ObjectReference
    deprecatedTopology=5{} nodeName=6! zone=7! hints=8:EndpointHints`,
  EndpointConditions: 'ready=1:b! serving=2:b! terminating=3:b!',
  EndpointHints: 'forZones=1:ForZone[] forNodes=2:ForNode[]',
  ForZone: 'name=1!',
  ForNode: 'name=1!',
  EndpointPort: 'name=1! protocol=2! port=3:i32! appProtocol=4!',
});
