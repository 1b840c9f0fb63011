import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildComponents, schemaName } from './components.js';
import { parseDeclaration } from './models.js';
import { v2Document } from './documents.js';
import { encodeV2Document } from './v2-protobuf.js';
import { readFields } from '../protobuf/wire.js';
import { RESOURCES } from '../api/resources.js';

test('client-node classes map to upstream schema names', () => {
  assert.equal(schemaName('V1PodSpec', ''), 'io.k8s.api.core.v1.PodSpec');
  assert.equal(schemaName('V1ObjectMeta', 'apps'), 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.equal(schemaName('V1Ingress', 'networking.k8s.io'), 'io.k8s.api.networking.v1.Ingress');
  assert.equal(schemaName('CoreV1Event', ''), 'io.k8s.api.core.v1.Event');
  assert.equal(schemaName('DiscoveryV1EndpointPort', 'discovery.k8s.io'), 'io.k8s.api.discovery.v1.EndpointPort');
});

test('descriptions and required fields come from the generated declarations', () => {
  const d = parseDeclaration(`/**\n* A thing.\n*/\nexport declare class V1X {\n    /**\n    * The pod\\'s \\"name\\".\n    */\n    'name': string;\n    'spec'?: V1Y;\n}`, 'V1X');
  assert.equal(d.description, 'A thing.');
  assert.deepEqual(d.fields.get('name'), { description: 'The pod\'s "name".', required: true });
  assert.deepEqual(d.fields.get('spec'), { description: undefined, required: false });
});

test('a kind\'s schema carries its GVK, descriptions, and the merge and list metadata both patch mechanisms use', () => {
  const s = buildComponents([{ group: '', version: 'v1', kind: 'Pod' }, { group: '', version: 'v1', kind: 'Service' }]);
  assert.deepEqual(s.get('io.k8s.api.core.v1.Pod')!['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  assert.deepEqual(s.get('io.k8s.api.core.v1.PodList')!['x-kubernetes-group-version-kind'], [{ group: '', kind: 'PodList', version: 'v1' }]);
  const spec = s.get('io.k8s.api.core.v1.PodSpec')! as any;
  assert.match(spec.properties.hostNetwork.description, /^Host networking requested for this pod\./);
  assert.ok(spec.required.includes('containers'));
  assert.deepEqual(
    [spec.properties.containers['x-kubernetes-patch-strategy'], spec.properties.containers['x-kubernetes-patch-merge-key'],
      spec.properties.containers['x-kubernetes-list-type'], spec.properties.containers['x-kubernetes-list-map-keys']],
    ['merge', 'name', 'map', ['name']]);
  assert.equal(spec.properties.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.equal(spec.properties.tolerations['x-kubernetes-list-type'], 'atomic');
  const port = s.get('io.k8s.api.core.v1.Container')! as any;
  assert.deepEqual(port.properties.ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.equal((s.get('io.k8s.api.core.v1.ContainerPort') as any).properties.protocol.default, 'TCP');
  assert.deepEqual((s.get('io.k8s.api.core.v1.ServiceSpec') as any).properties.ports['x-kubernetes-list-map-keys'], ['port', 'protocol']);
  assert.equal(s.get('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector')?.['x-kubernetes-map-type'], 'atomic');
});

test('/openapi/v2 encodes as a gnostic Document kubectl can read', () => {
  const doc = v2Document(RESOURCES);
  assert.ok(doc.definitions['io.k8s.api.networking.v1.NetworkPolicy']);
  assert.equal((doc.definitions['io.k8s.api.core.v1.Pod'] as any).properties.spec.$ref, '#/definitions/io.k8s.api.core.v1.PodSpec');
  const fields = readFields(encodeV2Document(doc as never));
  assert.deepEqual(fields.map((x) => x.number), [1, 2, 8, 9]);
  assert.equal(fields[0].value.toString(), '2.0');
  const defs = readFields(fields[3].value as Buffer);
  assert.equal(defs.length, Object.keys(doc.definitions).length);
});
