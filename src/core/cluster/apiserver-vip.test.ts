import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiServerVipTable, renderApiServerVip } from './apiserver-vip.js';

test('the VIP sends new connections to the live servers only, on loopback and the underlay', () => {
  const text = renderApiServerVip({ table: apiServerVipTable('demo'), addresses: ['127.0.0.1', '172.31.250.1'], port: 6443, backends: [40002, 40001] });
  assert.match(text, /^table ip podnet-api-demo\ndelete table ip podnet-api-demo\n/);
  const rules = text.split('\n').filter((l) => l.includes('redirect'));
  assert.equal(rules.length, 2, 'locally made connections (output) and those from the nodes (prerouting)');
  for (const r of rules) assert.equal(r.trim(), 'ip daddr { 127.0.0.1, 172.31.250.1 } tcp dport 6443 redirect to :numgen random mod 2 map { 0 : 40001, 1 : 40002 }');
});

test('no live server: an empty table, so connections are refused as with no server', () => {
  const text = renderApiServerVip({ table: 'podnet-api-x', addresses: ['127.0.0.1'], port: 6443, backends: [] });
  assert.ok(!text.includes('chain'));
});

test('bad input is refused', () => {
  assert.throws(() => renderApiServerVip({ table: 't', addresses: ['127.0.0.1'], port: 70000, backends: [1] }), /not a TCP port/);
  assert.throws(() => renderApiServerVip({ table: 't', addresses: ['nope'], port: 6443, backends: [1] }));
});
