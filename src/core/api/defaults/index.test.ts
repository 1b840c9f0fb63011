import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../object.js';
import { defaultObject, imageTag } from './index.js';

const SEEDS = new URL('../../../../test/fixtures/seeds/', import.meta.url);
const seed = (file: string): KubeObject[] =>
  parseAllDocuments(readFileSync(new URL(file, SEEDS), 'utf8')).map((d) => d.toJSON()).filter(Boolean);

/** Defaults a copy, checks that a second pass changes nothing, and returns it. */
function defaulted(o: KubeObject, opts: { create?: boolean } = { create: true }): any {
  const once = structuredClone(o);
  defaultObject(once, opts);
  const twice = structuredClone(once);
  defaultObject(twice, opts);
  assert.deepEqual(twice, once, `defaulting ${o.kind} is not idempotent`);
  return once;
}

test('Pod: spec, container and admission defaults, as `kubectl get pod -o yaml` shows them', () => {
  const [p] = seed('nginx-pod.yaml');
  const d = defaulted(p);
  assert.deepEqual(d.spec, {
    containers: [{
      name: 'nginx-container', image: 'nginx:latest', ports: [{ containerPort: 8080, protocol: 'TCP' }],
      imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {},
    }],
    dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', securityContext: {}, terminationGracePeriodSeconds: 30,
    schedulerName: 'default-scheduler', enableServiceLinks: true, serviceAccountName: 'default', serviceAccount: 'default',
    priority: 0, preemptionPolicy: 'PreemptLowerPriority',
    tolerations: [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
  });
});

test('imagePullPolicy: Always for :latest or no tag, IfNotPresent otherwise', () => {
  const cases: Array<[string, string]> = [
    ['nginx', 'Always'], ['nginx:latest', 'Always'], ['nginx:1.27', 'IfNotPresent'], ['registry.k8s.io/e2e-test-images/agnhost:2.53', 'IfNotPresent'],
    ['localhost:5000/app', 'Always'], ['localhost:5000/app:v1', 'IfNotPresent'],
    [`busybox@sha256:${'a'.repeat(64)}`, 'IfNotPresent'], ['NGINX', 'IfNotPresent'], ['', 'IfNotPresent'],
  ];
  for (const [image, want] of cases) {
    const d = defaulted({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image }] } });
    assert.equal(d.spec.containers[0].imagePullPolicy, want, image);
  }
  assert.equal(imageTag('nginx:1.27'), '1.27');
});

test('Pod: given values win; tolerations of the taints are not duplicated; requests default to limits', () => {
  const d = defaulted({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: {
      restartPolicy: 'Never', serviceAccount: 'builder', tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'c', image: 'x:1', imagePullPolicy: 'Never', resources: { limits: { cpu: '1' } },
        readinessProbe: { httpGet: { port: 80 } } }],
      volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }],
    },
  });
  assert.equal(d.spec.restartPolicy, 'Never');
  assert.equal(d.spec.serviceAccountName, 'builder');
  assert.deepEqual(d.spec.tolerations, [{ operator: 'Exists' }]);
  assert.equal(d.spec.containers[0].imagePullPolicy, 'Never');
  assert.deepEqual(d.spec.containers[0].resources, { limits: { cpu: '1' }, requests: { cpu: '1' } });
  assert.deepEqual(d.spec.containers[0].readinessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(d.spec.volumes, [{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } }]);
});

test('Service defaults for every type', () => {
  const svc = (spec: Record<string, unknown>) => defaulted({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }], ...spec } }).spec;
  assert.deepEqual(svc({}), { ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], sessionAffinity: 'None', type: 'ClusterIP', internalTrafficPolicy: 'Cluster' });
  assert.deepEqual(svc({ type: 'NodePort' }), { ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], type: 'NodePort', sessionAffinity: 'None', externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster' });
  assert.deepEqual(svc({ type: 'LoadBalancer' }).allocateLoadBalancerNodePorts, true);
  assert.equal(svc({ type: 'LoadBalancer' }).externalTrafficPolicy, 'Cluster');
  assert.equal(svc({ type: 'ExternalName', externalName: 'a.example' }).internalTrafficPolicy, undefined);
  assert.equal(svc({ externalIPs: ['192.0.2.1'] }).externalTrafficPolicy, 'Cluster');
  assert.deepEqual(svc({ sessionAffinity: 'ClientIP' }).sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  assert.equal(svc({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } }).sessionAffinityConfig, undefined);
  assert.equal(svc({ ports: [{ port: 80, targetPort: 'http' }] }).ports[0].targetPort, 'http');
  const s = svc({});
  assert.equal(s.clusterIP, undefined, 'ClusterIP allocation is not defaulting');
});

test('Deployment and ReplicaSet defaults, with the template defaulted as a PodSpec', () => {
  const d = defaulted({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'frontend' },
    spec: { selector: { matchLabels: { app: 'frontend' } }, template: { metadata: { labels: { app: 'frontend' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
  });
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.deepEqual(d.spec.template.metadata, { labels: { app: 'frontend' }, creationTimestamp: null });
  const t = d.spec.template.spec;
  assert.equal(t.containers[0].imagePullPolicy, 'Always');
  assert.equal(t.dnsPolicy, 'ClusterFirst');
  assert.equal(t.enableServiceLinks, undefined, 'pod-only defaults stay out of templates');
  assert.equal(t.tolerations, undefined);
  const recreate = defaulted({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { strategy: { type: 'Recreate' } } });
  assert.deepEqual(recreate.spec.strategy, { type: 'Recreate' });
  const rs = defaulted({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'x' }, spec: { template: { spec: { containers: [] } } } });
  assert.equal(rs.spec.replicas, 1);
});

test('Namespace: name label always, kubernetes finalizer and Active phase on create only', () => {
  const ns = defaulted({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'my-app' }, spec: {} });
  assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'my-app' });
  assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
  assert.equal(ns.status.phase, 'Active');
  // After /finalize removed the finalizer, an update (a stored object: it has a resourceVersion) must not put it back.
  const finalized = defaulted({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'my-app', resourceVersion: '9' }, spec: {}, status: { phase: 'Terminating' } }, {});
  assert.equal(finalized.spec.finalizers, undefined);
  assert.equal(finalized.status.phase, 'Terminating');
});

test('NetworkPolicy, Endpoints, EndpointSlice, Secret, IngressClass, Node', () => {
  const np = (spec: Record<string, unknown>) => defaulted({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' }, spec }).spec;
  assert.deepEqual(np({ podSelector: {} }).policyTypes, ['Ingress']);
  assert.deepEqual(np({ podSelector: {}, egress: [{ ports: [{ port: 53 }] }] }), { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'TCP' }] }], policyTypes: ['Ingress', 'Egress'] });
  assert.deepEqual(np({ podSelector: {}, policyTypes: ['Egress'] }).policyTypes, ['Egress']);
  const ep = defaulted({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e' }, subsets: [{ ports: [{ port: 80 }] }] });
  assert.equal(ep.subsets[0].ports[0].protocol, 'TCP');
  const slice = defaulted({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e' }, addressType: 'IPv4', ports: [{ port: 80 }] });
  assert.deepEqual(slice.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
  const secret = defaulted({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { user: 'admin' }, data: { a: 'Yg==' } });
  assert.deepEqual(secret, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { a: 'Yg==', user: 'YWRtaW4=' } });
  const ic = defaulted({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'i' }, spec: { controller: 'a.io/b', parameters: { kind: 'X', name: 'y' } } });
  assert.equal(ic.spec.parameters.scope, 'Cluster');
  const node = defaulted({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { capacity: { cpu: '2', pods: '110' } } });
  assert.deepEqual(node.status.allocatable, { cpu: '2', pods: '110' });
});

test('kinds without defaults, and unknown kinds, are left untouched', () => {
  for (const o of [
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' }, spec: { rules: [{ http: { paths: [{ path: '/', backend: {} }] } }] } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
    { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, reason: 'x' },
    { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: {} },
  ] as KubeObject[]) {
    assert.deepEqual(defaulted(o), o);
  }
});
