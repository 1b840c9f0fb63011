// Endpoints, EndpointSlices and LoadBalancer addresses through the real kubectl, against an API server
// alone: the test plays the kubelet, creating pods on named nodes and then setting their IP and
// readiness with `kubectl patch --subresource=status`, and checks what users look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/server.js';

const seeds = new URL('../fixtures/seeds/', import.meta.url).pathname;
let s: TestServer;

before(async () => { s = await startTestServer('endpoints'); });
after(async () => { await s?.cleanup(); });

async function ok(args: string[], input?: string): Promise<string> {
  const r = await s.kubectl(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}\nserver log:\n${s.logs().slice(-2000)}`);
  return r.stdout;
}

/** Polls a kubectl command until its output matches (controllers converge asynchronously). */
async function eventually(args: string[], re: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const r = await s.kubectl(args);
    last = r.stdout + r.stderr;
    if (r.code === 0 && re.test(r.stdout)) return r.stdout;
    if (Date.now() > deadline) assert.fail(`kubectl ${args.join(' ')} never matched ${re}; last output:\n${last}\nserver log:\n${s.logs().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** What a kubelet reports once the pod's sandbox has an IP, and again whenever its readiness changes. */
async function kubeletStatus(pod: string, ip: string, ready: boolean): Promise<void> {
  const status = {
    phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '198.51.100.11',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now() }],
  };
  await ok(['patch', 'pod', pod, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

function podYaml(name: string, node: string, labels: Record<string, string>, portName = 'http', port = 5000): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {${Object.entries(labels).map(([k, v]) => `${k}: ${v}`).join(', ')}}
spec:
  nodeName: ${node}
  containers:
  - name: app
    image: registry.k8s.io/e2e-test-images/agnhost:2.53
    args: [netexec, --http-port=${port}]
    ports:
    - name: ${portName}
      containerPort: ${port}
`;
}

test('nodes that the announcer may pick', async () => {
  for (const [n, zone] of [['node-1', 'zone-a'], ['node-2', 'zone-b']]) {
    await ok(['apply', '-f', '-'], `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${n}\n  labels:\n    topology.kubernetes.io/zone: ${zone}\n`);
    const status = { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now(), lastTransitionTime: now() }] };
    await ok(['patch', 'node', n, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
  }
  await eventually(['get', 'nodes'], /^node-2\s+Ready/m);
});

test('a Service with ready and not-ready pods: kubectl get endpoints, endpointslices -o wide, describe svc', async () => {
  await ok(['apply', '-f', join(seeds, 'backend-service.yaml')]);
  // No pods yet: an empty slice and empty Endpoints, as upstream.
  await eventually(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=backend'], /^backend-[a-z0-9]{5}\s+IPv4\s+<unset>\s+<unset>/m);
  await eventually(['get', 'endpoints', 'backend'], /^backend\s+<none>/m);
  await ok(['apply', '-f', '-'], [
    podYaml('backend-1', 'node-1', { app: 'backend' }), podYaml('backend-2', 'node-2', { app: 'backend' }), podYaml('backend-3', 'node-1', { app: 'backend' }),
  ].join('---\n'));
  await kubeletStatus('backend-1', '10.244.1.5', true);
  await kubeletStatus('backend-2', '10.244.2.5', true);
  await kubeletStatus('backend-3', '10.244.1.6', false);

  const ep = await eventually(['get', 'endpoints', 'backend'], /^backend\s+10\.244\.1\.5:5000,10\.244\.2\.5:5000\s/m);
  assert.match(ep, /^NAME\s+ENDPOINTS\s+AGE/m);
  const wide = await eventually(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=backend', '-o', 'wide'],
    /^backend-[a-z0-9]{5}\s+IPv4\s+5000\s+10\.244\.1\.5,10\.244\.2\.5,10\.244\.1\.6\s/m);
  assert.match(wide, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE/m);
  const describe = await eventually(['describe', 'svc', 'backend'], /^Endpoints:\s+10\.244\.1\.5:5000,10\.244\.2\.5:5000$/m);
  assert.match(describe, /^Selector:\s+app=backend$/m);

  // The slice as clients read it: labels, owner, conditions per pod, zone and node.
  const slice = JSON.parse(await ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=backend', '-o', 'json'])).items[0];
  assert.equal(slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.equal(slice.metadata.ownerReferences[0].kind, 'Service');
  assert.equal(slice.metadata.ownerReferences[0].controller, true);
  assert.ok(slice.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time']);
  const byPod = Object.fromEntries(slice.endpoints.map((e: any) => [e.targetRef.name, e]));
  assert.deepEqual(byPod['backend-3'].conditions, { ready: false, serving: false, terminating: false });
  assert.deepEqual([byPod['backend-2'].nodeName, byPod['backend-2'].zone], ['node-2', 'zone-b']);
  const endpoints = JSON.parse(await ok(['get', 'endpoints', 'backend', '-o', 'json']));
  assert.deepEqual(endpoints.subsets[0].notReadyAddresses.map((a: any) => a.ip), ['10.244.1.6']);

  // The third pod becomes ready; the first one is deleted.
  await kubeletStatus('backend-3', '10.244.1.6', true);
  await eventually(['get', 'endpoints', 'backend'], /^backend\s+10\.244\.1\.5:5000,10\.244\.1\.6:5000,10\.244\.2\.5:5000\s/m);
  await ok(['delete', 'pod', 'backend-1', '--grace-period=0', '--force']);
  await eventually(['get', 'endpoints', 'backend'], /^backend\s+10\.244\.1\.6:5000,10\.244\.2\.5:5000\s/m);
  // Endpoints keep their place in a slice (fewer changes to diff): the order is the order they came in.
  await eventually(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=backend'],
    /^backend-[a-z0-9]{5}\s+IPv4\s+5000\s+(10\.244\.1\.6,10\.244\.2\.5|10\.244\.2\.5,10\.244\.1\.6)\s/m);
});

test('a named targetPort that no pod defines: the Service says why in its events, other Services keep working', async () => {
  await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata:\n  name: typo\nspec:\n  selector:\n    app: typo\n  ports:\n  - name: web\n    port: 80\n    targetPort: htpp\n');
  await ok(['apply', '-f', '-'], podYaml('typo-1', 'node-2', { app: 'typo' }));
  await kubeletStatus('typo-1', '10.244.2.9', true);
  const out = await eventually(['describe', 'svc', 'typo'], /TargetPortNotFound/);
  assert.match(out, /Warning\s+TargetPortNotFound\s+.*endpointslice-controller\s+No pod selected by this Service has a container port named "htpp" with protocol TCP, so service port "web" has no endpoints/);
  await eventually(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=typo'], /^typo-[a-z0-9]{5}\s+IPv4\s+<unset>\s+10\.244\.2\.9\s/m);
  await eventually(['get', 'endpoints', 'backend'], /^backend\s+10\.244\.1\.6:5000,10\.244\.2\.5:5000\s/m);
});

test('a LoadBalancer Service gets an EXTERNAL-IP from the underlay pool and a node to announce it', async () => {
  await ok(['apply', '-f', join(seeds, 'frontendlb-service.yaml')]);
  const out = await eventually(['get', 'svc', 'frontendlb'], /^frontendlb\s+LoadBalancer\s+10\.\S+\s+198\.51\.100\.200\s+80:3\d{4}\/TCP/m);
  assert.match(out, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/m);
  const svc = JSON.parse(await ok(['get', 'svc', 'frontendlb', '-o', 'json']));
  assert.deepEqual(svc.status.loadBalancer.ingress, [{ ip: '198.51.100.200', ipMode: 'VIP' }]);
  assert.match(svc.metadata.annotations['podnet.io/announcing-node'], /^node-[12]$/);
  const describe = await ok(['describe', 'svc', 'frontendlb']);
  assert.match(describe, /^LoadBalancer Ingress:\s+198\.51\.100\.200 \(VIP\)$/m);
  assert.match(describe, /Normal\s+IPAllocated\s+.*Assigned IP \["198\.51\.100\.200"\]/);
});

test('pool exhaustion: <pending> with a Warning that says how to enlarge the pool; a freed address is reused', async () => {
  // A two-address pool, set the way users would: cluster.json, then a restart of the server.
  const file = join(s.config.stateDir, 'cluster.json');
  const cfg = JSON.parse(readFileSync(file, 'utf8'));
  cfg.loadBalancerPool = '198.51.100.200-198.51.100.201';
  writeFileSync(file, JSON.stringify(cfg, null, 2));
  await s.stop();
  await s.start();
  const lb = (name: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  type: LoadBalancer\n  selector:\n    app: ${name}\n  ports:\n  - port: 8080\n`;
  await ok(['apply', '-f', '-'], lb('lb-2'));
  await eventually(['get', 'svc', 'lb-2'], /^lb-2\s+LoadBalancer\s+\S+\s+198\.51\.100\.201\s/m);
  await ok(['apply', '-f', '-'], lb('lb-3'));
  await eventually(['get', 'svc', 'lb-3'], /^lb-3\s+LoadBalancer\s+\S+\s+<pending>\s/m);
  const describe = await eventually(['describe', 'svc', 'lb-3'], /AllocationFailed/);
  assert.match(describe, /Warning\s+AllocationFailed\s+.*loadbalancer-controller\s+Failed to allocate IP for "default\/lb-3": no available IPs: the LoadBalancer pool 198\.51\.100\.200-198\.51\.100\.201 \(2 addresses\) is fully assigned/);
  assert.match(describe, /set "loadBalancerPool" in \S+cluster\.json/);
  // The restart kept the first Service's address.
  await eventually(['get', 'svc', 'frontendlb'], /^frontendlb\s+LoadBalancer\s+\S+\s+198\.51\.100\.200\s/m);
  await ok(['delete', 'svc', 'lb-2']);
  await eventually(['get', 'svc', 'lb-3'], /^lb-3\s+LoadBalancer\s+\S+\s+198\.51\.100\.201\s/m);
  // Back to ClusterIP: the address goes.
  await ok(['patch', 'svc', 'lb-3', '--type=merge', '-p', '{"spec":{"type":"ClusterIP"}}']);
  await eventually(['get', 'svc', 'lb-3'], /^lb-3\s+ClusterIP\s+\S+\s+<none>\s/m);
});

test('deleting a Service removes its Endpoints and EndpointSlices', async () => {
  await ok(['delete', 'svc', 'backend']);
  // kubectl prints "No resources found" on stderr and nothing on stdout.
  await eventually(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=backend', '-o', 'name'], /^$/);
  const deadline = Date.now() + 15_000;
  let r = await s.kubectl(['get', 'endpoints', 'backend']);
  while (r.code === 0 && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 200));
    r = await s.kubectl(['get', 'endpoints', 'backend']);
  }
  assert.notEqual(r.code, 0, `the Endpoints outlived the Service:\n${r.stdout}`);
  assert.match(r.stderr, /endpoints "backend" not found/);
});
