import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envVarsFromServices, serviceEnvironment, visibleServices, type EnvService } from './index.js';

const svc = (namespace: string, name: string, clusterIP: string, ports: Array<{ name?: string; port: number; protocol?: string }>): EnvService =>
  ({ metadata: { namespace, name }, spec: { clusterIP, ports } });

const kubernetes = svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]);

test('the docs example: redis-primary on 6379 gives the documented names and values', () => {
  const env = serviceEnvironment({ metadata: { namespace: 'default' } },
    [svc('default', 'redis-primary', '10.0.0.11', [{ port: 6379, protocol: 'TCP' }])]);
  assert.deepEqual(env, {
    REDIS_PRIMARY_SERVICE_HOST: '10.0.0.11',
    REDIS_PRIMARY_SERVICE_PORT: '6379',
    REDIS_PRIMARY_PORT: 'tcp://10.0.0.11:6379',
    REDIS_PRIMARY_PORT_6379_TCP: 'tcp://10.0.0.11:6379',
    REDIS_PRIMARY_PORT_6379_TCP_PROTO: 'tcp',
    REDIS_PRIMARY_PORT_6379_TCP_PORT: '6379',
    REDIS_PRIMARY_PORT_6379_TCP_ADDR: '10.0.0.11',
  });
});

test('the kubernetes Service as kubelet gives it to every pod, in order', () => {
  assert.deepEqual(envVarsFromServices([kubernetes]).map((v) => `${v.name}=${v.value}`), [
    'KUBERNETES_SERVICE_HOST=10.96.0.1',
    'KUBERNETES_SERVICE_PORT=443',
    'KUBERNETES_SERVICE_PORT_HTTPS=443',
    'KUBERNETES_PORT=tcp://10.96.0.1:443',
    'KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443',
    'KUBERNETES_PORT_443_TCP_PROTO=tcp',
    'KUBERNETES_PORT_443_TCP_PORT=443',
    'KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1',
  ]);
});

test('multi-port: first port is SERVICE_PORT and PORT, every named port gets SERVICE_PORT_<NAME>, protocol defaults to TCP', () => {
  const env = serviceEnvironment({ metadata: { namespace: 'shop' } }, [svc('shop', 'my-dns', '10.96.0.20', [
    { name: 'dns-udp', port: 53, protocol: 'UDP' }, { name: 'metrics', port: 9153 },
  ])]);
  assert.equal(env.MY_DNS_SERVICE_PORT, '53');
  assert.equal(env.MY_DNS_SERVICE_PORT_DNS_UDP, '53');
  assert.equal(env.MY_DNS_SERVICE_PORT_METRICS, '9153');
  assert.equal(env.MY_DNS_PORT, 'udp://10.96.0.20:53');
  assert.equal(env.MY_DNS_PORT_53_UDP_PROTO, 'udp');
  assert.equal(env.MY_DNS_PORT_9153_TCP, 'tcp://10.96.0.20:9153');
  assert.equal(env.MY_DNS_PORT_9153_TCP_ADDR, '10.96.0.20');
  assert.equal(Object.keys(env).length, 2 + 2 + 1 + 4 * 2);
});

test('IPv6 ClusterIPs are bracketed in the URLs, not in _ADDR', () => {
  const env = serviceEnvironment({ metadata: { namespace: 'default' } }, [svc('default', 'v6', 'fd00::10', [{ port: 80 }])]);
  assert.equal(env.V6_PORT, 'tcp://[fd00::10]:80');
  assert.equal(env.V6_PORT_80_TCP_ADDR, 'fd00::10');
});

test('visibility: own namespace plus kubernetes of default; headless and ExternalName left out', () => {
  const services = [
    kubernetes,
    svc('default', 'web', '10.96.0.30', [{ port: 80 }]),
    svc('shop', 'cart', '10.96.0.31', [{ port: 8080 }]),
    svc('shop', 'headless', 'None', [{ port: 80 }]),
    { metadata: { namespace: 'shop', name: 'ext' }, spec: { ports: [{ port: 80 }] } },
  ];
  const names = (ns: string, links?: boolean) =>
    visibleServices({ metadata: { namespace: ns }, spec: { enableServiceLinks: links } }, services).map((s) => `${s.metadata.namespace}/${s.metadata.name}`);
  assert.deepEqual(names('shop'), ['shop/cart', 'default/kubernetes']);
  assert.deepEqual(names('default'), ['default/kubernetes', 'default/web']);
  // enableServiceLinks: false keeps only the master Service, in every namespace.
  assert.deepEqual(names('shop', false), ['default/kubernetes']);
  assert.deepEqual(names('default', false), ['default/kubernetes']);
});

test('a Service named kubernetes in the pod namespace wins over default/kubernetes, whatever the list order', () => {
  const own = svc('shop', 'kubernetes', '10.96.0.99', [{ port: 8443 }]);
  for (const list of [[kubernetes, own], [own, kubernetes]]) {
    const env = serviceEnvironment({ metadata: { namespace: 'shop' } }, list);
    assert.equal(env.KUBERNETES_SERVICE_HOST, '10.96.0.99');
    assert.equal(env.KUBERNETES_SERVICE_PORT, '8443');
    assert.equal(env.KUBERNETES_SERVICE_PORT_HTTPS, undefined);
  }
  // With links off the pod's own "kubernetes" is not visible: default's is.
  const env = serviceEnvironment({ metadata: { namespace: 'shop' }, spec: { enableServiceLinks: false } }, [own, kubernetes]);
  assert.equal(env.KUBERNETES_SERVICE_HOST, '10.96.0.1');
});

test('no Services, or a pod without namespace (default)', () => {
  assert.deepEqual(serviceEnvironment({}, []), {});
  assert.equal(serviceEnvironment({}, [svc('default', 'a-b', '10.96.0.5', [{ port: 1 }])]).A_B_SERVICE_HOST, '10.96.0.5');
});
