// addr.ts on the recording executor (no root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useRecordingExecutor } from './exec-fake.js';
import { addAddress, deleteAddress, listAddresses } from './addr.js';

const fake = useRecordingExecutor();

test('addresses: replace (idempotent), with a label and noprefixroute for a LoadBalancer /32', async () => {
  fake.clear();
  await addAddress('cni0', '10.244.1.1/24', { netns: 'n1' });
  await addAddress('eth0', '172.31.250.200/32', { label: 'eth0:lb', noPrefixRoute: true });
  assert.deepEqual(fake.argvs(), [
    ['ip', '-n', 'n1', 'addr', 'replace', '10.244.1.1/24', 'dev', 'cni0'],
    ['ip', 'addr', 'replace', '172.31.250.200/32', 'dev', 'eth0', 'label', 'eth0:lb', 'noprefixroute'],
  ]);
  await assert.rejects(addAddress('eth0', '10.0.0.1'), /prefix length/);
  await assert.rejects(addAddress('eth0', '10.0.0.1/32', { label: 'lb' }), /must start with the interface name/);
  assert.equal(fake.calls.length, 2);
});

test('listing keeps labels other than the link name; deleting an absent address is false', async () => {
  fake.clear();
  fake.on(['ip', '-j', '-4', 'addr', 'show'], { stdout: JSON.stringify([{ ifname: 'eth0', addr_info: [
    { family: 'inet', local: '172.31.250.11', prefixlen: 24, scope: 'global', label: 'eth0' },
    { family: 'inet', local: '172.31.250.200', prefixlen: 32, scope: 'global', label: 'eth0:lb' },
  ] }]) });
  fake.on(['ip', 'addr', 'del'], { exitCode: 2, stderr: 'RTNETLINK answers: Cannot assign requested address' });
  const list = await listAddresses({ dev: 'eth0', family: 'inet' });
  assert.deepEqual(list.map((a) => [a.local, a.label]), [['172.31.250.11', undefined], ['172.31.250.200', 'eth0:lb']]);
  assert.equal(await deleteAddress('eth0', '172.31.250.200/32', { label: 'eth0:lb' }), false);
  assert.deepEqual(fake.argvs()[1], ['ip', 'addr', 'del', '172.31.250.200/32', 'dev', 'eth0', 'label', 'eth0:lb']);
});
