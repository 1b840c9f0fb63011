import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCIDR } from './ip.js';
import { attachmentComment, masqAddScript, masqChain, masqDelScript, parseMapElements } from './masq-plan.js';

test('attachment comments name the attachment and stay within nft limits', () => {
  assert.equal(attachmentComment('cbr0', 'abc', 'eth0'), 'cbr0/abc/eth0');
  const long = attachmentComment('n', 'x'.repeat(200), 'eth0');
  assert.ok(long.length <= 127);
  assert.ok(long.startsWith('n/') && long.endsWith('/eth0'));
});

test('ADD maps the pod address to its subnet chain; DEL adds then deletes the element', () => {
  const a = parseCIDR('10.99.0.2/24')!;
  const add = masqAddScript('pnc_m', [a], 'n/c/eth0');
  assert.match(add, /add rule ip pnc_m masq_[0-9a-f]{12} ip daddr 10.99.0.0\/24 return/);
  assert.match(add, /add rule ip pnc_m masq_[0-9a-f]{12} ip daddr 224.0.0.0\/4 return/);
  assert.match(add, new RegExp(`add element ip pnc_m pods \\{ 10.99.0.2 comment "n/c/eth0" : jump ${masqChain(a)} \\}`));
  const del = masqDelScript('pnc_m', [a]).split('\n');
  assert.equal(del.at(-2), `add element ip pnc_m pods { 10.99.0.2 : jump ${masqChain(a)} }`);
  assert.equal(del.at(-1), 'delete element ip pnc_m pods { 10.99.0.2 }');
  assert.match(masqAddScript('pnc_m', [parseCIDR('fd00::2/64')!], 'n/c/eth0'), /ip6 saddr vmap @pods[\s\S]*ip6 daddr ff00::\/8 return/);
});

test('map elements are read back with their comments from nft -j', () => {
  const json = { nftables: [{ map: { name: 'pods', elem: [[{ elem: { val: '10.99.0.2', comment: 'n/c/eth0' } }, { jump: { target: 'masq_x' } }], ['10.99.0.3', { jump: { target: 'masq_x' } }]] } }] };
  assert.deepEqual(parseMapElements(json), [{ key: '10.99.0.2', comment: 'n/c/eth0' }, { key: '10.99.0.3' }]);
});
