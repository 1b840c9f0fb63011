// conntrack.ts on the recording executor (no root).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandError } from './exec.js';
import { useRecordingExecutor } from './exec-fake.js';
import { deleteConntrack, deleteConntrackUdpToPorts, listConntrackUdp } from './conntrack.js';

const fake = useRecordingExecutor();

test('listing and deleting stale UDP flows; "0 flow entries" (gone meanwhile) is not an error', async () => {
  fake.clear();
  fake.on(['conntrack', '-L'], { stdout: 'udp 17 29 src=10.244.1.5 dst=10.96.0.10 sport=5353 dport=53 ...\n' });
  fake.on(['conntrack', '-D'], { exitCode: 1, stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n' });
  assert.match(await listConntrackUdp({ netns: 'n1' }), /dport=53/);
  assert.equal(await deleteConntrack({ origDst: '10.96.0.10', origPortDst: 53, replySrc: '10.244.2.7' }, { netns: 'n1' }), 0);
  assert.deepEqual(fake.calls.map((c) => c.full), [
    ['ip', 'netns', 'exec', 'n1', 'conntrack', '-L', '-f', 'ipv4', '-p', 'udp'],
    ['ip', 'netns', 'exec', 'n1', 'conntrack', '-D', '-f', 'ipv4', '-p', 'udp', '--orig-dst', '10.96.0.10', '--orig-port-dst', '53', '--reply-src', '10.244.2.7'],
  ]);
});

test('a missing conntrack tool: listing says how to install it; the portmap clean-up ignores it', async () => {
  fake.clear();
  fake.on(['conntrack'], () => { throw new CommandError(['conntrack'], null, 'spawn conntrack ENOENT', ''); });
  await assert.rejects(listConntrackUdp(), /apt-get install conntrack/);
  await deleteConntrackUdpToPorts([5353, 8080]);
  assert.equal(fake.calls.length, 2); // the first port found the tool missing; the second was not tried
  await assert.rejects(deleteConntrackUdpToPorts([70000]), /invalid port/);
});
