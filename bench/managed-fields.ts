// What managed fields and the OpenAPI documents cost the API server: the field manager's work per write
// (a create, a status update, a server-side apply of an unchanged and of a changed configuration), and
// building the OpenAPI documents, which happens once, on the first request for them.
//
//   node --import tsx bench/managed-fields.ts
import { mustResource, RESOURCES } from '../src/core/api/resources.js';
import type { KubeObject } from '../src/core/api/object.js';
import { applyConfig, recordChange, recordCreate, typeOf } from '../src/components/apiserver/field-manager.js';
import { v2Document, v3Document, gvPath, encodeV2Document } from '../src/core/openapi/index.js';

const N = 3000;

function time(label: string, n: number, fn: () => void): [string, string] {
  for (let i = 0; i < 50; i++) fn(); // warm up
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  return [label, `${((performance.now() - t) * 1000 / n).toFixed(0)} µs`];
}

const once = (label: string, fn: () => void): [string, string] => {
  const t = performance.now();
  fn();
  return [label, `${(performance.now() - t).toFixed(0)} ms`];
};

const rows: [string, string][] = [];
rows.push(once('OpenAPI v3, all group-versions (first build, models loaded from client-node)', () => {
  for (const gv of new Set(RESOURCES.map(gvPath))) v3Document(gv, RESOURCES);
}));
rows.push(once('OpenAPI v2 document + protobuf (models cached)', () => { encodeV2Document(v2Document(RESOURCES) as never); }));

const pods = mustResource('pods');
const deployments = mustResource('deployments.apps');
typeOf(pods); typeOf(deployments);
const pod: KubeObject = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', labels: { app: 'web' } },
  spec: {
    containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} }],
    restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30,
  },
  status: { phase: 'Pending' },
};
const created = recordCreate(pods, pod, 'kubectl-run');
const running = structuredClone(created);
running.status = { phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }], conditions: [{ type: 'Ready', status: 'True' }] };
rows.push(time('create of a Pod (Update manager recorded)', N, () => recordCreate(pods, pod, 'kubectl-run')));
rows.push(time('status update of a Pod', N, () => recordChange(pods, created, running, 'kubelet', 'status')));

const deploy = (replicas: number): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
});
const live = applyConfig(deployments, undefined, deploy(2), 'kubectl', false).object;
rows.push(time('server-side apply, unchanged Deployment', N, () => applyConfig(deployments, live, deploy(2), 'kubectl', false)));
rows.push(time('server-side apply, changed Deployment', N, () => applyConfig(deployments, live, deploy(3), 'kubectl', false)));

const w = Math.max(...rows.map((r) => r[0].length));
console.log(`| ${'measurement'.padEnd(w)} | result |\n|${'-'.repeat(w + 2)}|--------|`);
for (const [l, v] of rows) console.log(`| ${l.padEnd(w)} | ${v} |`);
