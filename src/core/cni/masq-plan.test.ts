import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIPPrefix } from '../net/index.js';
import { attachmentComment, masqAddScript, masqChain, masqDelKeysScript, masqDelScript, parseMapElements } from './masq-plan.js';

test('attachment comments name the attachment and stay within nft limits', () => {
  assert.equal(attachmentComment('cbr0', 'abc', 'eth0'), 'cbr0/abc/eth0');
  const long = attachmentComment('n', 'x'.repeat(200), 'eth0');
  assert.ok(long.length <= 127);
  assert.ok(long.startsWith('n/') && long.endsWith('/eth0'));
});

test('ADD maps the pod address to its subnet chain; DEL adds then deletes the element', () => {
  const a = parseIPPrefix('10.99.0.2/24')!;
  const m = masqChain(a);
  assert.equal(masqAddScript('pnc_m', [a], 'n/c/eth0'), [
    'add table ip pnc_m',
    'add map ip pnc_m pods { type ipv4_addr : verdict ; }',
    'add chain ip pnc_m postrouting { type nat hook postrouting priority 100 ; policy accept ; }',
    `add chain ip pnc_m ${m}`,
    'flush chain ip pnc_m postrouting',
    `flush chain ip pnc_m ${m}`,
    `add element ip pnc_m pods { 10.99.0.2 comment "n/c/eth0" : jump ${m} }`,
    'add rule ip pnc_m postrouting ip saddr vmap @pods',
    `add rule ip pnc_m ${m} ip daddr 10.99.0.0/24 return`,
    `add rule ip pnc_m ${m} ip daddr 224.0.0.0/4 return`,
    `add rule ip pnc_m ${m} masquerade`,
    '',
  ].join('\n'));
  const del = masqDelScript('pnc_m', [a]).split('\n').filter(Boolean);
  assert.equal(del.at(-2), `add element ip pnc_m pods { 10.99.0.2 : jump ${masqChain(a)} }`);
  assert.equal(del.at(-1), 'delete element ip pnc_m pods { 10.99.0.2 }');
  assert.match(masqAddScript('pnc_m', [parseIPPrefix('fd00::2/64')!], 'n/c/eth0'), /ip6 saddr vmap @pods[\s\S]*ip6 daddr ff00::\/8 return/);
  assert.equal(masqDelKeysScript('pnc_m', [a.ip, parseIPPrefix('fd00::2/64')!.ip]), 'delete element ip pnc_m pods { 10.99.0.2 }\ndelete element ip6 pnc_m pods { fd00::2 }');
  // A comment can never break out of its quotes (it used to be quoted with JSON.stringify).
  assert.match(masqAddScript('pnc_m', [a], 'n/"x\\y/eth0'), /comment "n\/_x_y\/eth0"/);
});

test('map elements are read back with their comments from nft -j', () => {
  const json = { nftables: [{ map: { name: 'pods', elem: [[{ elem: { val: '10.99.0.2', comment: 'n/c/eth0' } }, { jump: { target: 'masq_x' } }], ['10.99.0.3', { jump: { target: 'masq_x' } }]] } }] };
  assert.deepEqual(parseMapElements(json), [{ key: '10.99.0.2', comment: 'n/c/eth0' }, { key: '10.99.0.3' }]);
});
