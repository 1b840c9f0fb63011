import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../api/resources.js';
import type { KubeObject } from '../api/object.js';
import { typeModelFor } from './types.js';
import { apply, recordUpdate, zeroObject, type Context } from './managed.js';
import { ApiError } from '../api/errors.js';

const model = typeModelFor(RESOURCES);
const deployType = model.kind({ group: 'apps', version: 'v1', kind: 'Deployment' })!;
const podType = model.kind({ group: '', version: 'v1', kind: 'Pod' })!;
const ctx = (type = deployType, now = '2026-12-07T10:00:00Z'): Context => ({ type, scope: { hasStatus: true }, now });

const deployment = (replicas: number, image = 'nginx', extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    replicas, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] } },
    ...extra,
  },
});

test('a create is recorded as upstream records it: `.` only where the zero object had nothing', () => {
  const zero = zeroObject('apps/v1', 'Deployment', deployType);
  const created = recordUpdate(zero, { ...deployment(2), metadata: { ...deployment(2).metadata, uid: 'u', resourceVersion: '5' } },
    'kubectl-create', ctx());
  const mf = created.metadata.managedFields as Record<string, any>[];
  assert.equal(mf.length, 1);
  assert.deepEqual({ ...mf[0], fieldsV1: undefined }, {
    manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: '2026-12-07T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: undefined,
  });
  assert.deepEqual(mf[0].fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:replicas': {}, 'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': {
          '.': {}, 'f:image': {}, 'f:name': {},
          'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
        } } },
      },
    },
  });
});

test('apply owns exactly its configuration; re-applying it changes nothing', () => {
  const zero = zeroObject('apps/v1', 'Deployment', deployType);
  const first = apply(zero, deployment(2), 'kubectl', false, ctx(), true);
  assert.equal(first.changed, true);
  const mf = first.object.metadata.managedFields as Record<string, any>[];
  assert.equal(mf[0].operation, 'Apply');
  assert.deepEqual(mf[0].fieldsV1['f:metadata'], { 'f:labels': { 'f:app': {} } });
  const again = apply(first.object, deployment(2), 'kubectl', false, ctx(deployType, '2026-12-07T11:00:00Z'));
  assert.equal(again.changed, false);
  assert.deepEqual(again.object, first.object, 'same object, same managedFields (time included)');
});

test('changing a field another manager owns is a conflict with upstream wording; force takes it over', () => {
  const zero = zeroObject('apps/v1', 'Deployment', deployType);
  const applied = apply(zero, deployment(2), 'kubectl', false, ctx(), true).object;
  const scaled = recordUpdate(applied, { ...applied, spec: { ...(applied.spec as object), replicas: 5 } }, 'kubectl-scale', ctx());
  assert.throws(() => apply(scaled, deployment(3), 'kubectl', false, ctx()), (e: ApiError) => {
    assert.equal(e.code, 409);
    assert.equal(e.status.reason, 'Conflict');
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas');
    assert.deepEqual(e.status.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-scale" using apps/v1', field: '.spec.replicas' }] });
    return true;
  });
  // Applying the value the other manager set is no conflict: the field is shared.
  const shared = apply(scaled, deployment(5), 'kubectl', false, ctx());
  const owners = (shared.object.metadata.managedFields as Record<string, any>[]).filter((m) => m.fieldsV1['f:spec']?.['f:replicas']);
  assert.deepEqual(owners.map((m) => m.manager).sort(), ['kubectl', 'kubectl-scale']);
  const forced = apply(scaled, deployment(3), 'kubectl', true, ctx());
  assert.equal((forced.object.spec as any).replicas, 3);
  assert.ok(!(forced.object.metadata.managedFields as Record<string, any>[]).some((m) => m.manager === 'kubectl-scale'),
    'kubectl-scale owned only replicas, so it is gone');
});

test('several conflicts are listed per manager', () => {
  const zero = zeroObject('apps/v1', 'Deployment', deployType);
  const a = apply(zero, deployment(2, 'nginx:1'), 'alice', false, ctx(), true).object;
  assert.throws(() => apply(a, deployment(3, 'nginx:2'), 'bob', false, ctx()), (e: ApiError) => {
    assert.equal(e.message, 'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image');
    return true;
  });
});

test('a field the applier stops applying is removed unless someone else owns it', () => {
  const zero = zeroObject('apps/v1', 'Deployment', deployType);
  const withExtra = deployment(2);
  (withExtra.metadata.labels as Record<string, string>).tier = 'front';
  let o = apply(zero, withExtra, 'kubectl', false, ctx(), true).object;
  o = apply(o, deployment(2), 'kubectl', false, ctx()).object;
  assert.deepEqual(o.metadata.labels, { app: 'web' });
  // A label another manager also owns stays.
  o = apply(o, withExtra, 'kubectl', false, ctx()).object;
  o = apply(o, withExtra, 'other', false, ctx()).object;
  o = apply(o, deployment(2), 'kubectl', false, ctx()).object;
  assert.deepEqual(o.metadata.labels, { app: 'web', tier: 'front' });
});

test('list items merge by their keys, and a dropped container port goes away', () => {
  const pod = (ports: number[]): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: { containers: [{ name: 'c', image: 'nginx', ports: ports.map((containerPort) => ({ containerPort })) }] },
  });
  const zero = zeroObject('v1', 'Pod', podType);
  let o = apply(zero, pod([80, 443]), 'kubectl', false, ctx(podType), true).object;
  o = apply(o, pod([80]), 'kubectl', false, ctx(podType)).object;
  assert.deepEqual((o.spec as any).containers[0].ports, [{ containerPort: 80 }]);
});

test('an object nobody managed yet belongs to before-first-apply', () => {
  const live = { ...deployment(2), metadata: { ...deployment(2).metadata, uid: 'x' } };
  assert.throws(() => apply(live, deployment(4), 'kubectl', false, ctx()),
    /Apply failed with 1 conflict: conflict with "before-first-apply" using apps\/v1: \.spec\.replicas/);
});

test('a Service selector is an atomic map, its ports are keyed by port and protocol', () => {
  const svcType = model.kind({ group: '', version: 'v1', kind: 'Service' })!;
  const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } };
  const o = apply(zeroObject('v1', 'Service', svcType), svc, 'kubectl', false, ctx(svcType), true).object;
  assert.deepEqual((o.metadata.managedFields as any)[0].fieldsV1, { 'f:spec': {
    'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } }, 'f:selector': {},
  } });
});

test('kubectl\'s first server-side apply over a client-side-applied object takes over what its last-applied configuration says', () => {
  const zero = zeroObject('apps/v1', 'Deployment', deployType);
  const lastApplied = JSON.stringify(deployment(2));
  const csa = recordUpdate(zero, { ...deployment(2), metadata: { ...deployment(2).metadata, annotations: {
    'kubectl.kubernetes.io/last-applied-configuration': lastApplied } } }, 'kubectl-client-side-apply', ctx());
  const up = apply(csa, deployment(4), 'kubectl', false, ctx());
  assert.equal((up.object.spec as any).replicas, 4);
  const annotation = JSON.parse(up.object.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']);
  assert.equal(annotation.spec.replicas, 4, 'the last-applied annotation follows the server-side apply');
  // Another field manager gets no such pass.
  assert.throws(() => apply(csa, deployment(4), 'ci', false, ctx()), /conflict with "kubectl-client-side-apply" using apps\/v1: \.spec\.replicas/);
  // Nor does a field the live object no longer has as last applied (someone scaled it since).
  const scaled = recordUpdate(csa, { ...csa, spec: { ...(csa.spec as object), replicas: 7 } }, 'kubectl-client-side-apply', ctx());
  assert.throws(() => apply(scaled, deployment(4), 'kubectl', false, ctx()), /conflict with "kubectl-client-side-apply"/);
});

test('past ten Update managers the oldest fold into ancient-changes', () => {
  let o = recordUpdate(zeroObject('apps/v1', 'Deployment', deployType), deployment(1), 'creator', ctx(deployType, '2026-12-07T10:00:00Z'));
  for (let i = 0; i < 11; i++) {
    const next = structuredClone(o);
    (next.metadata.labels as Record<string, string>)[`l${i}`] = 'x';
    o = recordUpdate(o, next, `m${i}`, ctx(deployType, `2026-12-07T10:${String(i + 1).padStart(2, '0')}:00Z`));
  }
  const names = (o.metadata.managedFields as Record<string, any>[]).map((m) => m.manager);
  // Ten updaters plus the bucket, as upstream counts (the bucket is not one of the ten).
  assert.equal(names.length, 11);
  assert.equal(names[0], 'ancient-changes');
  const ancient = (o.metadata.managedFields as Record<string, any>[])[0];
  assert.ok(ancient.fieldsV1['f:spec'] && ancient.fieldsV1['f:metadata']['f:labels']['f:l0'], 'creator and m0 folded in');
  assert.ok(!names.includes('creator') && !names.includes('m0') && names.includes('m1'));
});
