import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../object.js';
import { RESOURCES, apiVersionOf } from '../resources.js';
import { knowsKind, unknownFields } from './index.js';

const SEEDS = new URL('../../../../test/fixtures/seeds/', import.meta.url);
const seeds = (): KubeObject[] => ['nginx-pod.yaml', 'my-nginx-pods.yaml', 'web-service.yaml', 'frontendlb-service.yaml', 'my-ingress.yaml']
  .flatMap((f) => parseAllDocuments(readFileSync(new URL(f, SEEDS), 'utf8')).map((d) => d.toJSON()).filter(Boolean));

test('every served kind, and autoscaling/v1 Scale, has a field set', () => {
  for (const info of RESOURCES) assert.ok(knowsKind(apiVersionOf(info), info.kind), info.kind);
  assert.ok(knowsKind('autoscaling/v1', 'Scale'));
  assert.throws(() => unknownFields({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: {} }), /no field set for example.com\/v1, Kind=Widget/);
});

test('the seed manifests have no unknown fields', () => {
  for (const o of seeds()) assert.deepEqual(unknownFields(o), [], o.metadata.name);
});

test('unknown fields are named as the strict decoding error names them, in document order', () => {
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { 'any-key': 'x' }, nmae: 'typo' },
    spec: {
      containers: [{ name: 'c', image: 'nginx' }, { name: 'd', imagee: 'nginx', ports: [{ containerPort: 80, hostport: 1 }],
        resources: { limits: { 'example.com/gpu': '1' } }, env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'x', extra: 1 } } }] }],
      nodeSelector: { anything: 'goes' }, affinty: {},
    },
    status: { phase: 'Pending', phaze: 'x' },
    extra: true,
  } as unknown as KubeObject;
  assert.deepEqual(unknownFields(pod), [
    'metadata.nmae', 'spec.containers[1].imagee', 'spec.containers[1].ports[0].hostport', 'spec.containers[1].env[0].valueFrom.fieldRef.extra',
    'spec.affinty', 'status.phaze', 'extra',
  ]);
});

test('nested kinds: Deployment templates, Service ports, Ingress backends, NetworkPolicy peers, Scale', () => {
  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { replicas: 1, selector: { matchLabels: { a: 'b' }, matchExpression: [] }, strategy: { rollingUpdate: { maxSurge: '25%', maxSurgee: 1 } },
      template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x', livenessProbe: { httpGet: { port: 'http', pth: '/' } } }] } } } };
  assert.deepEqual(unknownFields(dep as unknown as KubeObject), ['spec.selector.matchExpression', 'spec.strategy.rollingUpdate.maxSurgee', 'spec.template.spec.containers[0].livenessProbe.httpGet.pth']);
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetport: 80 }], selector: { a: 'b' } } };
  assert.deepEqual(unknownFields(svc as unknown as KubeObject), ['spec.ports[0].targetport']);
  const ing = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' },
    spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { numbr: 80 } } } }] } }] } };
  assert.deepEqual(unknownFields(ing as unknown as KubeObject), ['spec.rules[0].http.paths[0].backend.service.port.numbr']);
  const np = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' },
    spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', exept: [] } }] }] } };
  assert.deepEqual(unknownFields(np as unknown as KubeObject), ['spec.ingress[0].from[0].ipBlock.exept']);
  const scale = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 's' }, spec: { replicas: 2, replica: 3 }, status: { replicas: 1, selector: 'a=b' } };
  assert.deepEqual(unknownFields(scale as unknown as KubeObject), ['spec.replica']);
});

test('free-form values are not inspected: annotations, ConfigMap data, Secret data, quantities', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', annotations: { 'x/y': 'z' } }, data: { any: 'thing' }, binaryData: { b: 'AA==' } };
  assert.deepEqual(unknownFields(cm as unknown as KubeObject), []);
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { k: 'dg==' }, stringData: { k2: 'v' } };
  assert.deepEqual(unknownFields(secret as unknown as KubeObject), []);
});
