import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ANNOTATION_BACKEND_DATA, ANNOTATION_BACKEND_TYPE, ANNOTATION_PUBLIC_IP, ANNOTATION_PUBLIC_IP_OVERWRITE,
  missingAnnotations, overlayAnnotations, podCIDROf, publicIPOf, vxlanBackendDataOf,
} from './node.js';

test('podCIDR: spec.podCIDR, else the first IPv4 of podCIDRs, normalised', () => {
  assert.equal(podCIDROf({ spec: { podCIDR: '10.244.1.0/24' } }), '10.244.1.0/24');
  assert.equal(podCIDROf({ spec: { podCIDRs: ['fd00::/64', '10.244.2.0/24'] } }), '10.244.2.0/24');
  assert.equal(podCIDROf({ spec: { podCIDR: '10.244.3.7/24' } }), '10.244.3.0/24');
  assert.equal(podCIDROf({ spec: {} }), undefined);
  assert.equal(podCIDROf({ spec: { podCIDR: 'garbage' } }), undefined);
});

test('public IP: public-ip-overwrite, then public-ip, then InternalIP', () => {
  const status = { addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '172.31.250.11' }] };
  assert.equal(publicIPOf({ status }), '172.31.250.11');
  assert.equal(publicIPOf({ status, metadata: { annotations: { [ANNOTATION_PUBLIC_IP]: '172.31.250.99' } } }), '172.31.250.99');
  assert.equal(publicIPOf({ status, metadata: { annotations: { [ANNOTATION_PUBLIC_IP]: '172.31.250.99', [ANNOTATION_PUBLIC_IP_OVERWRITE]: '172.31.250.7' } } }), '172.31.250.7');
  assert.equal(publicIPOf({ status: { addresses: [{ type: 'InternalIP', address: 'fd00::1' }] } }), undefined);
});

test('vxlan backend-data is parsed as flannel writes it, and bad values say why', () => {
  const ok = vxlanBackendDataOf({ metadata: { annotations: { [ANNOTATION_BACKEND_DATA]: '{"VNI":1,"VtepMAC":"86:8E:00:11:22:33"}' } } });
  assert.deepEqual(ok, { VNI: 1, VtepMAC: '86:8e:00:11:22:33' });
  assert.match((vxlanBackendDataOf({}) as { error: string }).error, /has no flannel.alpha.coreos.com\/backend-data annotation yet/);
  assert.match((vxlanBackendDataOf({ metadata: { annotations: { [ANNOTATION_BACKEND_DATA]: 'null' } } }) as { error: string }).error, /no valid VtepMAC/);
  assert.match((vxlanBackendDataOf({ metadata: { annotations: { [ANNOTATION_BACKEND_DATA]: '{' } } }) as { error: string }).error, /not JSON/);
  assert.match((vxlanBackendDataOf({ metadata: { annotations: { [ANNOTATION_BACKEND_DATA]: '{"VtepMAC":"86:8e:00:11:22:33"}' } } }) as { error: string }).error, /no integer VNI/);
});

test('the annotations a node publishes, per mode, and which are missing', () => {
  const vx = overlayAnnotations('vxlan', '172.31.250.11', { VNI: 1, VtepMAC: '86:8e:00:11:22:33' });
  assert.deepEqual(vx, {
    'flannel.alpha.coreos.com/backend-type': 'vxlan',
    'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"86:8e:00:11:22:33"}',
    'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
    'flannel.alpha.coreos.com/public-ip': '172.31.250.11',
  });
  const gw = overlayAnnotations('host-gw', '172.31.250.11');
  assert.equal(gw[ANNOTATION_BACKEND_TYPE], 'host-gw');
  assert.equal(gw[ANNOTATION_BACKEND_DATA], 'null');
  assert.throws(() => overlayAnnotations('vxlan', '172.31.250.11'), /VNI and MAC/);
  assert.deepEqual(missingAnnotations({ metadata: { annotations: vx } }, vx), {});
  assert.deepEqual(missingAnnotations({ metadata: { annotations: { ...vx, [ANNOTATION_PUBLIC_IP]: '1.2.3.4' } } }, vx), { [ANNOTATION_PUBLIC_IP]: '172.31.250.11' });
});
