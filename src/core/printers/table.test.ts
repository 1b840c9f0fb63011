import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printTable, printerFor } from './index.js';
import { RESOURCES, apiVersionOf, mustResource, type KubeObject, type ResourceInfo } from '../api/index.js';

const NOW = new Date('2025-01-01T12:00:00Z');

const web: KubeObject = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name: 'web', namespace: 'default', uid: 'u-1', resourceVersion: '17', creationTimestamp: '2025-01-01T11:00:00Z',
    labels: { app: 'web' }, annotations: { note: 'x' },
  },
  spec: { containers: [{ name: 'web', image: 'nginx' }] },
  status: { phase: 'Running' },
};

test('a Table has the meta.k8s.io/v1 shape', () => {
  const t = printTable(mustResource('pods'), [web], { now: NOW, resourceVersion: '100' });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(t.metadata, { resourceVersion: '100' });
  for (const c of t.columnDefinitions) {
    assert.deepEqual(Object.keys(c).sort(), ['description', 'format', 'name', 'priority', 'type']);
  }
  const json = JSON.parse(JSON.stringify(t));
  assert.deepEqual(Object.keys(json).sort(), ['apiVersion', 'columnDefinitions', 'kind', 'metadata', 'rows']);
  assert.deepEqual(printTable(mustResource('pods'), [], { now: NOW, continue: 'abc' }).metadata, { continue: 'abc' });
});

test('includeObject: Metadata by default, the object, or nothing', () => {
  const byDefault = printTable(mustResource('pods'), [web], { now: NOW }).rows[0]!;
  assert.deepEqual(byDefault.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: web.metadata });
  assert.deepEqual(printTable(mustResource('pods'), [web], { now: NOW, includeObject: 'Metadata' }).rows[0]!.object, byDefault.object);
  assert.equal(printTable(mustResource('pods'), [web], { now: NOW, includeObject: 'Object' }).rows[0]!.object, web);
  const none = printTable(mustResource('pods'), [web], { now: NOW, includeObject: 'None' }).rows[0]!;
  assert.equal('object' in none, false);
  assert.equal('object' in JSON.parse(JSON.stringify(none)), false);
});

test('a v1beta1 Table carries v1beta1 PartialObjectMetadata', () => {
  const t = printTable(mustResource('pods'), [web], { now: NOW, version: 'v1beta1' });
  assert.equal(t.apiVersion, 'meta.k8s.io/v1beta1');
  assert.equal((t.rows[0]!.object as { apiVersion: string }).apiVersion, 'meta.k8s.io/v1beta1');
});

test('a kind without a printer gets the default Name / Created At columns', () => {
  const csr: ResourceInfo = { ...mustResource('configmaps'), group: 'certificates.k8s.io', kind: 'CertificateSigningRequest', listKind: 'CertificateSigningRequestList', resource: 'certificatesigningrequests', singular: 'certificatesigningrequest' };
  const t = printTable(csr, [
    { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'node-1', creationTimestamp: '2025-01-01T11:00:00.250Z' } },
    { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'node-2' } },
  ], { now: NOW });
  assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Created At', 'date', '']]);
  assert.deepEqual(t.rows.map((r) => r.cells), [['node-1', '2025-01-01T11:00:00Z'], ['node-2', '0001-01-01T00:00:00Z']]);
});

// Objects from sparse to full, so every printer meets missing fields as well as present ones.
function samples(info: ResourceInfo): KubeObject[] {
  const base = { apiVersion: apiVersionOf(info), kind: info.kind };
  return [
    { ...base, metadata: {} },
    { ...base, metadata: { name: 'a', namespace: 'default', creationTimestamp: '2024-12-31T12:00:00Z' }, spec: {}, status: {} },
    {
      ...base, metadata: { name: 'b', creationTimestamp: '2020-01-01T00:00:00Z', deletionTimestamp: '2025-01-01T12:00:30Z', labels: { 'node-role.kubernetes.io/worker': '' } },
      spec: {
        type: 'LoadBalancer', ports: [{ port: 80, nodePort: 30080 }], selector: { matchLabels: { app: 'b' } }, replicas: 2,
        template: { spec: { containers: [{ name: 'c', image: 'i' }] } }, containers: [{ name: 'c' }], initContainers: [{ name: 'i' }],
        rules: [{ host: 'h' }], tls: [{}], podSelector: { matchLabels: { app: 'b' } }, controller: 'x', readinessGates: [{ conditionType: 'x' }],
      },
      status: {
        phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], initContainerStatuses: [{ name: 'i', state: { waiting: { reason: 'ErrImagePull' } } }],
        containerStatuses: [{ name: 'c', state: {} }], loadBalancer: { ingress: [{ hostname: 'lb' }] }, addresses: [{ type: 'InternalIP', address: '172.31.250.11' }],
      },
      subsets: [{ addresses: [{ ip: '10.0.0.1' }] }], endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }],
      data: { k: 'v' }, secrets: [{ name: 's' }], involvedObject: { kind: 'Pod', name: 'b' }, count: 2,
    },
  ];
}

test('every row has exactly one cell per column, for every resource podnet serves', () => {
  for (const info of RESOURCES) {
    const t = printTable(info, samples(info), { now: NOW });
    assert.equal(t.rows.length, 3, info.resource);
    assert.ok(t.columnDefinitions.length >= 2, info.resource);
    for (const row of t.rows) {
      assert.equal(row.cells.length, t.columnDefinitions.length, `${info.resource}: ${JSON.stringify(row.cells)}`);
      for (const cell of row.cells) assert.ok(['string', 'number', 'boolean'].includes(typeof cell), `${info.resource}: cell ${String(cell)}`);
    }
  }
});

test('every printed kind has its own printer, a name column, and described columns', () => {
  // Reviews are only ever created, never listed; they have no printer upstream either.
  for (const info of RESOURCES.filter((r) => r.verbs.includes('list'))) {
    const printer = printerFor(info);
    // Roles print Name / Created At upstream too, from a printer of their own.
    assert.ok(printer !== printerFor({ ...info, group: 'example.com', kind: 'Widget' }), `${info.resource} falls back to the default printer`);
    assert.equal(printer.columns.filter((c) => c.format === 'name').length, 1, info.resource);
    for (const c of printer.columns) {
      assert.ok(c.description.length > 0, `${info.resource} ${c.name} has no description`);
      assert.ok(c.priority === 0 || c.priority === 1, `${info.resource} ${c.name} priority`);
      assert.ok(['string', 'integer', 'date', 'boolean'].includes(c.type), `${info.resource} ${c.name} type`);
    }
  }
});

test('column definitions are copies: callers may edit a Table freely', () => {
  const t = printTable(mustResource('pods'), [], { now: NOW });
  t.columnDefinitions[0]!.name = 'changed';
  assert.equal(printTable(mustResource('pods'), [], { now: NOW }).columnDefinitions[0]!.name, 'Name');
});
