import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIngressArgs } from './ingress.js';
import { imageKind } from './images.js';
import { containerLaunch } from '../components/agent/pods/container-command.js';

test('the ingress-nginx controller image selects the built-in ingress workload, with its upstream args', () => {
  assert.equal(imageKind('registry.k8s.io/ingress-nginx/controller:v1.12.1@sha256:' + 'a'.repeat(64)), 'ingress');
  assert.equal(imageKind('ingress-nginx/controller'), 'ingress');
  const launch = containerLaunch({ name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.12.1',
    args: ['/nginx-ingress-controller', '--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller'] }, { POD_NAMESPACE: 'ingress-nginx' });
  assert.deepEqual(launch, { kind: 'builtin', workload: 'ingress', args: ['/nginx-ingress-controller', '--publish-service=ingress-nginx/ingress-nginx-controller'] });
});

test('parseIngressArgs: ingress-nginx flags, unknown ones kept for a log line, bad ports refused', () => {
  const a = parseIngressArgs(['/nginx-ingress-controller', '--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller', '--controller-class=k8s.io/ingress-nginx',
    '--ingress-class=nginx', '--http-port', '8080', '--enable-access-log'], { POD_NAMESPACE: 'ingress-nginx' });
  assert.equal(a.publishService, 'ingress-nginx/ingress-nginx-controller');
  assert.equal(a.controllerClass, 'k8s.io/ingress-nginx');
  assert.equal(a.httpPort, 8080);
  assert.equal(a.httpsPort, 443);
  assert.equal(a.accessLog, true);
  assert.deepEqual(a.ignored, ['--ingress-class=nginx']);
  assert.throws(() => parseIngressArgs(['--https-port=70000']), /--https-port: "70000" is not a port/);
});
