import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addonObjects, DNS_ADDON, INGRESS_ADDON } from './addons.js';
import type { ClusterConfig } from '../../core/cluster/config.js';

const config = { dnsServiceIP: '10.96.0.10', clusterDomain: 'cluster.local' } as ClusterConfig;
const corefile = (objs: ReturnType<typeof addonObjects>) =>
  (objs.find((o) => o.kind === 'ConfigMap') as unknown as { data: { Corefile: string } }).data.Corefile;

test('the DNS addon forwards nowhere by default: never to the host resolver', () => {
  const objs = addonObjects(DNS_ADDON, config);
  assert.deepEqual(objs.map((o) => o.kind), ['ServiceAccount', 'ConfigMap', 'Deployment', 'Service']);
  assert.doesNotMatch(corefile(objs), /^\s*forward /m);
  assert.doesNotMatch(corefile(objs), /resolv\.conf/);
  assert.match(corefile(objs), /kubernetes cluster\.local in-addr\.arpa ip6\.arpa/);
});

test('--dns-upstream puts the given server in the forward block', () => {
  const c = corefile(addonObjects(DNS_ADDON, config, { dnsUpstream: '172.31.250.1:5353' }));
  assert.match(c, /forward \. 172\.31\.250\.1:5353 \{\n\s+max_concurrent 1000\n\s+\}/);
});

test('the cluster DNS IP and domain follow the cluster', () => {
  const objs = addonObjects(DNS_ADDON, { dnsServiceIP: '10.100.0.10', clusterDomain: 'example.internal' } as ClusterConfig);
  const svc = objs.find((o) => o.kind === 'Service') as unknown as { spec: { clusterIP: string } };
  assert.equal(svc.spec.clusterIP, '10.100.0.10');
  assert.match(corefile(objs), /kubernetes example\.internal in-addr\.arpa/);
});

test('the ingress addon: ingress-nginx\'s objects, a LoadBalancer Service, the default IngressClass nginx', () => {
  const objs = addonObjects(INGRESS_ADDON, config) as Array<Record<string, any>>;
  assert.deepEqual(objs.map((o) => `${o.kind}/${o.metadata.name}`), ['Namespace/ingress-nginx', 'ServiceAccount/ingress-nginx',
    'ConfigMap/ingress-nginx-controller', 'Service/ingress-nginx-controller', 'Deployment/ingress-nginx-controller', 'IngressClass/nginx']);
  const svc = objs.find((o) => o.kind === 'Service')!;
  assert.equal(svc.spec.type, 'LoadBalancer');
  const ic = objs.find((o) => o.kind === 'IngressClass')!;
  assert.equal(ic.metadata.annotations['ingressclass.kubernetes.io/is-default-class'], 'true');
  assert.equal(ic.spec.controller, 'k8s.io/ingress-nginx');
  const c = objs.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0];
  assert.match(c.image, /^registry\.k8s\.io\/ingress-nginx\/controller:/);
});
