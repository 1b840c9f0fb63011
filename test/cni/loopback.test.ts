// The loopback plugin next to the reference: the same result, lo up after ADD and down after DEL,
// DEL without a netns succeeds, CHECK sees a downed lo.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeExecutor } from '../../src/linux/exec.js';
import { requireRoot, run } from '../../src/linux/exec.js';
import { Scratch, call, requireTools } from './harness.js';

const scratch = new Scratch();
const conf = { cniVersion: '1.0.0', name: 'pnc-lo', type: 'loopback' };
const state = async (ns: string) => (await run(['ip', '-n', ns, '-j', 'link', 'show', 'lo'])).stdout.includes('"UP"') ? 'up' : 'down';

describe('loopback side by side with the reference', () => {
  before(() => { requireRoot('the loopback tests'); requireTools(); });
  after(async () => { closeExecutor(); await scratch.cleanup(); });

  test('ADD, CHECK, DEL, DEL without netns', async () => {
    const results: Record<string, unknown> = {};
    for (const side of ['reference', 'inproc'] as const) {
      const netns = await scratch.addNetns('pnc-lo-pod');
      const env = { CNI_CONTAINERID: 'pnc-l1', CNI_NETNS: netns, CNI_IFNAME: 'lo' };
      const add = await call(side, 'loopback', { ...env, CNI_COMMAND: 'ADD' }, conf);
      assert.equal(add.code, 0, add.stdout);
      results[side] = add.json;
      assert.equal(await state('pnc-lo-pod'), 'up');
      const check = await call(side, 'loopback', { ...env, CNI_COMMAND: 'CHECK' }, { ...conf, prevResult: add.json });
      assert.equal(check.code, 0, check.stdout);
      const del = await call(side, 'loopback', { ...env, CNI_COMMAND: 'DEL' }, conf);
      assert.equal(del.code, 0, del.stdout);
      assert.equal(await state('pnc-lo-pod'), 'down');
      if (side === 'inproc') {
        const check2 = await call(side, 'loopback', { ...env, CNI_COMMAND: 'CHECK' }, { ...conf, prevResult: add.json });
        assert.deepEqual([check2.code, check2.json?.msg], [1, 'loopback interface is down']);
        const noNetns = await call(side, 'loopback', { CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'pnc-l1', CNI_IFNAME: 'lo' }, conf);
        assert.equal(noNetns.code, 0, noNetns.stdout);
      }
      await run(['ip', 'netns', 'del', 'pnc-lo-pod']);
      scratch.netns.delete('pnc-lo-pod');
    }
    assert.deepEqual(results.inproc, results.reference);
  });
});
