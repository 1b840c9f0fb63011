// neigh.ts and fdb.ts on the recording executor (no root): the overlay's ARP and FDB entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useRecordingExecutor } from './exec-fake.js';
import { deleteNeigh, listNeigh, replaceNeigh } from './neigh.js';
import { deleteFdb, listFdb, replaceFdb } from './fdb.js';

const fake = useRecordingExecutor();

test('permanent neighbour and FDB entries, in a node namespace; absent ones delete as false', async () => {
  fake.clear();
  fake.on(['ip', '-n', 'n1', 'neigh', 'del'], { exitCode: 2, stderr: 'RTNETLINK answers: No such file or directory' });
  fake.on(['bridge', '-n', 'n1', 'fdb', 'del'], { exitCode: 2, stderr: 'RTNETLINK answers: No such file or directory' });
  await replaceNeigh({ ip: '10.244.2.0', lladdr: '0A:00:00:00:00:02', dev: 'flannel.1' }, { netns: 'n1' });
  await replaceFdb({ mac: '0A:00:00:00:00:02', dev: 'flannel.1', dst: '172.31.250.12' }, { netns: 'n1' });
  assert.equal(await deleteNeigh('10.244.2.0', 'flannel.1', { netns: 'n1' }), false);
  assert.equal(await deleteFdb({ mac: '0a:00:00:00:00:02', dev: 'flannel.1', dst: '172.31.250.12' }, { netns: 'n1' }), false);
  assert.deepEqual(fake.argvs(), [
    ['ip', '-n', 'n1', 'neigh', 'replace', '10.244.2.0', 'lladdr', '0a:00:00:00:00:02', 'dev', 'flannel.1', 'nud', 'permanent'],
    ['bridge', '-n', 'n1', 'fdb', 'replace', '0a:00:00:00:00:02', 'dev', 'flannel.1', 'dst', '172.31.250.12', 'self', 'permanent'],
    ['ip', '-n', 'n1', 'neigh', 'del', '10.244.2.0', 'dev', 'flannel.1'],
    ['bridge', '-n', 'n1', 'fdb', 'del', '0a:00:00:00:00:02', 'dev', 'flannel.1', 'dst', '172.31.250.12', 'self'],
  ]);
});

test('listings parse ip -j and bridge -j; bad input never reaches the tools', async () => {
  fake.clear();
  fake.on(['ip', '-j', '-4', 'neigh', 'show'], { stdout: '[{"dst":"10.244.2.0","lladdr":"0a:00:00:00:00:02","state":["PERMANENT"]}]' });
  fake.on(['bridge', '-j', 'fdb', 'show'], { stdout: '[{"mac":"0a:00:00:00:00:02","dst":"172.31.250.12","flags":["self"],"state":"permanent"}]' });
  assert.deepEqual(await listNeigh('flannel.1'), [{ dst: '10.244.2.0', lladdr: '0a:00:00:00:00:02', state: ['PERMANENT'] }]);
  assert.equal((await listFdb('flannel.1'))[0].dst, '172.31.250.12');
  await assert.rejects(replaceNeigh({ ip: '10.244.2', lladdr: '0a:00:00:00:00:02', dev: 'flannel.1' }), /invalid neighbour address/);
  await assert.rejects(replaceFdb({ mac: 'zz', dev: 'flannel.1', dst: '172.31.250.12' }), /invalid MAC/);
  assert.equal(fake.calls.length, 2);
});
