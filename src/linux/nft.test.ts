// Kernel tests (root): nft inside a throwaway network namespace `pnp-nft-<pid>`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { requireRoot, run } from './exec.js';
import { canonicalTable, NftError, nftApply, nftAvailable, nftDeleteTable, nftListTable, nftListTables } from './nft.js';

const NS = `pnp-nft-${process.pid}`;
const opts = { netns: NS };

before(async () => {
  requireRoot('src/linux/nft.test.ts');
  await run(['ip', 'netns', 'add', NS]);
});
after(async () => {
  await run(['ip', 'netns', 'del', NS], { okExitCodes: [1] });
});

const TABLE = `add table ip podnet-test-a
add map ip podnet-test-a m { type ipv4_addr . inet_proto . inet_service : verdict ; }
add chain ip podnet-test-a c
add chain ip podnet-test-a pre { type nat hook prerouting priority -100 ; policy accept ; }
add element ip podnet-test-a m { 10.96.0.1 . tcp . 80 comment "default/x" : goto c, 10.96.0.2 . udp . 53 : goto c }
add rule ip podnet-test-a c meta l4proto tcp dnat ip to 10.244.1.5:8080 comment "default/x"
add rule ip podnet-test-a pre ip daddr . meta l4proto . th dport vmap @m
`;

test('nft is available in the namespace', async () => {
  const a = await nftAvailable(opts);
  assert.equal(a.ok, true, a.ok ? '' : a.reason);
});

test('apply, list as JSON, delete a table', async () => {
  await nftApply(TABLE, opts);
  assert.ok((await nftListTables(opts)).includes('ip podnet-test-a'));
  const json = await nftListTable('ip', 'podnet-test-a', opts);
  assert.ok(json);
  const canon = canonicalTable(json);
  assert.deepEqual(canon.chains.map((c: any) => c.chain.name), ['c', 'pre']);
  assert.equal((canon.chains[0] as any).rules.length, 1);
  assert.equal((canon.sets[0] as any).elem.length, 2);
  assert.equal(await nftDeleteTable('ip', 'podnet-test-a', opts), true);
  assert.equal(await nftDeleteTable('ip', 'podnet-test-a', opts), false);
  assert.equal(await nftListTable('ip', 'podnet-test-a', opts), undefined);
});

test('the same table loaded in a different order lists the same canonically', async () => {
  await nftApply(TABLE, opts);
  const a = canonicalTable((await nftListTable('ip', 'podnet-test-a', opts))!);
  const reordered = TABLE.split('\n').map((l) => l.replace('10.96.0.1 . tcp . 80 comment "default/x" : goto c, 10.96.0.2 . udp . 53 : goto c',
    '10.96.0.2 . udp . 53 : goto c, 10.96.0.1 . tcp . 80 comment "default/x" : goto c')).join('\n');
  await nftDeleteTable('ip', 'podnet-test-a', opts);
  await nftApply(reordered, opts);
  assert.deepEqual(canonicalTable((await nftListTable('ip', 'podnet-test-a', opts))!), a);
  await nftDeleteTable('ip', 'podnet-test-a', opts);
});

test('a bad transaction changes nothing and the error points at the line', async () => {
  await nftApply('add table ip podnet-test-b\n', opts);
  const bad = 'add chain ip podnet-test-b ok\nadd rule ip podnet-test-b ok ip daddr 10.0.0.300 accept\n';
  await assert.rejects(nftApply(bad, opts), (e: unknown) => {
    assert.ok(e instanceof NftError);
    assert.match(e.lines.join('\n'), /^2: add rule .*10\.0\.0\.300/m);
    return true;
  });
  const json = (await nftListTable('ip', 'podnet-test-b', opts))!;
  assert.equal(json.nftables.filter((i) => i.chain).length, 0, 'the chain of the failed transaction must not exist');
  // Check mode validates against the kernel without applying.
  await nftApply('add chain ip podnet-test-b checked\n', { ...opts, check: true });
  assert.equal((await nftListTable('ip', 'podnet-test-b', opts))!.nftables.filter((i) => i.chain).length, 0);
  await nftDeleteTable('ip', 'podnet-test-b', opts);
});

test('invalid table names are refused before nft runs', async () => {
  await assert.rejects(nftListTable('ip', 'bad name; flush ruleset', opts), /invalid/);
});
