// nft.ts on the recording executor (no root): transactions on stdin, listings, errors pointing at lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useRecordingExecutor } from './exec-fake.js';
import { NftError, nftApply, nftDeleteTable, nftListJson, nftListTable } from './nft.js';

const fake = useRecordingExecutor();

test('a transaction goes to nft -f - on stdin, inside the namespace; an empty one runs nothing', async () => {
  fake.clear();
  await nftApply('add table ip podnet\n', { netns: 'n1' });
  await nftApply('add table ip podnet\n', { check: true });
  await nftApply('  \n');
  assert.deepEqual(fake.calls.map((c) => [c.full, c.input]), [
    [['ip', 'netns', 'exec', 'n1', 'nft', '-f', '-'], 'add table ip podnet\n'],
    [['nft', '-c', '-f', '-'], 'add table ip podnet\n'],
  ]);
});

test('a rejected transaction is an NftError quoting the input lines nft points at', async () => {
  fake.clear();
  fake.on(['nft', '-f', '-'], { exitCode: 1, stderr: '/dev/stdin:2:1-3: Error: syntax error\nbad\n^^^\n' });
  await assert.rejects(nftApply('add table ip t\nbad\n'), (e: unknown) => {
    assert.ok(e instanceof NftError);
    assert.deepEqual(e.lines, ['2: bad']);
    return true;
  });
});

test('listings: a missing table or object is undefined/null, deleting it is false', async () => {
  fake.clear();
  const missing = { exitCode: 1, stderr: 'Error: No such file or directory; did you mean table ...' };
  fake.on(['nft', '-j', 'list', 'table', 'ip', 'gone'], missing);
  fake.on(['nft', '-j', 'list', 'map'], missing);
  fake.on(['nft', 'delete', 'table'], missing);
  fake.on(['nft', '-j', 'list', 'tables'], { stdout: '{"nftables":[{"table":{"family":"ip","name":"podnet"}}]}' });
  assert.equal(await nftListTable('ip', 'gone'), undefined);
  assert.equal(await nftListJson(['map', 'ip', 'podnet_masquerade', 'pods']), null);
  assert.equal(await nftDeleteTable('ip', 'gone'), false);
  assert.equal((await nftListJson(['tables']))?.nftables[0].table.name, 'podnet');
  await assert.rejects(nftListTable('ip', 'bad name'), /invalid/);
});
