// Tables for k8s.io/api rbac/v1 (Role, ClusterRole, RoleBinding, ClusterRoleBinding), authorization/v1
// (the access reviews `kubectl auth can-i` sends) and authentication/v1 (SelfSubjectReview, `kubectl auth
// whoami`). Field numbers from their generated.proto files.
import { defineMessages } from './schema.js';

defineMessages('rbac', {
  Role: 'metadata=1:ObjectMeta rules=2:PolicyRule[]!',
  ClusterRole: 'metadata=1:ObjectMeta rules=2:PolicyRule[]! aggregationRule=3:AggregationRule',
  AggregationRule: 'clusterRoleSelectors=1:LabelSelector[]',
  PolicyRule: 'verbs=1[]! apiGroups=2[] resources=3[] resourceNames=4[] nonResourceURLs=5[]',
  RoleBinding: 'metadata=1:ObjectMeta subjects=2:Subject[] roleRef=3:RoleRef',
  ClusterRoleBinding: 'metadata=1:ObjectMeta subjects=2:Subject[] roleRef=3:RoleRef',
  RoleRef: 'apiGroup=1! kind=2! name=3!',
  Subject: 'kind=1! apiGroup=2 name=3! namespace=4',
});

defineMessages('authorization', {
  SelfSubjectAccessReview: 'metadata=1:ObjectMeta spec=2:SelfSubjectAccessReviewSpec status=3:SubjectAccessReviewStatus',
  SelfSubjectAccessReviewSpec: 'resourceAttributes=1:ResourceAttributes nonResourceAttributes=2:NonResourceAttributes',
  ResourceAttributes: 'namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7',
  NonResourceAttributes: 'path=1 verb=2',
  SubjectAccessReviewStatus: 'allowed=1:b! denied=4:b reason=2 evaluationError=3',
  SelfSubjectRulesReview: 'metadata=1:ObjectMeta spec=2:SelfSubjectRulesReviewSpec status=3:SubjectRulesReviewStatus',
  SelfSubjectRulesReviewSpec: 'namespace=1',
  SubjectRulesReviewStatus: 'resourceRules=1:ResourceRule[]! nonResourceRules=2:NonResourceRule[]! incomplete=3:b! evaluationError=4',
  ResourceRule: 'verbs=1[]! apiGroups=2[] resources=3[] resourceNames=4[]',
  NonResourceRule: 'verbs=1[]! nonResourceURLs=2[]',
  SubjectAccessReview: 'metadata=1:ObjectMeta spec=2:SubjectAccessReviewSpec status=3:SubjectAccessReviewStatus',
  LocalSubjectAccessReview: 'metadata=1:ObjectMeta spec=2:SubjectAccessReviewSpec status=3:SubjectAccessReviewStatus',
  SubjectAccessReviewSpec: `resourceAttributes=1:ResourceAttributes nonResourceAttributes=2:NonResourceAttributes user=3
    groups=4[] uid=6`,
});

defineMessages('authentication', {
  SelfSubjectReview: 'metadata=1:ObjectMeta status=2:SelfSubjectReviewStatus',
  SelfSubjectReviewStatus: 'userInfo=1:UserInfo',
  UserInfo: 'username=1 uid=2 groups=3[]',
});
