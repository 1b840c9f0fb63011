import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMasquerade, renderMasquerade } from './masquerade.js';

test('the masquerade table is one postrouting nat rule, re-created atomically', () => {
  assert.equal(renderMasquerade({ podCIDR: '10.244.1.0/24', clusterCIDR: '10.244.0.0/16' }), [
    'add table ip podnet-nat',
    'delete table ip podnet-nat',
    'add table ip podnet-nat',
    'add chain ip podnet-nat postrouting { type nat hook postrouting priority 100 ; policy accept ; }',
    'add rule ip podnet-nat postrouting ip saddr 10.244.1.0/24 ip daddr != 10.244.0.0/16 masquerade',
    '',
  ].join('\n'));
  assert.throws(() => renderMasquerade({ podCIDR: '10.244.1.1/24', clusterCIDR: '10.244.0.0/16' }), /host bits are set/);
});

// What `nft -j list table ip podnet-nat` printed for that script (nftables 1.0.6).
const listed = {
  nftables: [
    { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
    { table: { family: 'ip', name: 'podnet-nat', handle: 2 } },
    { chain: { family: 'ip', table: 'podnet-nat', name: 'postrouting', handle: 1, type: 'nat', hook: 'postrouting', prio: 100, policy: 'accept' } },
    { rule: { family: 'ip', table: 'podnet-nat', chain: 'postrouting', handle: 2, expr: [
      { match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: { prefix: { addr: '10.244.1.0', len: 24 } } } },
      { match: { op: '!=', left: { payload: { protocol: 'ip', field: 'daddr' } }, right: { prefix: { addr: '10.244.0.0', len: 16 } } } },
      { masquerade: null },
    ] } },
  ],
};

test('the table read back gives the masquerade it does', () => {
  assert.deepEqual(parseMasquerade(listed), { podCIDR: '10.244.1.0/24', clusterCIDR: '10.244.0.0/16' });
  assert.equal(parseMasquerade(undefined), undefined);
});

test('a table changed by someone else is unrecognised (and so gets rewritten)', () => {
  const extraRule = structuredClone(listed);
  extraRule.nftables.push({ rule: { ...extraRule.nftables[3].rule!, handle: 3 } });
  assert.equal(parseMasquerade(extraRule), 'unrecognised');
  const accept = structuredClone(listed);
  (accept.nftables[3].rule!.expr as unknown[])[2] = { accept: null };
  assert.equal(parseMasquerade(accept), 'unrecognised');
  const eq = structuredClone(listed);
  (eq.nftables[3].rule!.expr[1] as { match: { op: string } }).match.op = '==';
  assert.equal(parseMasquerade(eq), 'unrecognised');
  const hook = structuredClone(listed);
  hook.nftables[2].chain!.hook = 'prerouting';
  assert.equal(parseMasquerade(hook), 'unrecognised');
  assert.equal(parseMasquerade({ nftables: [listed.nftables[1]] }), 'unrecognised');
});
