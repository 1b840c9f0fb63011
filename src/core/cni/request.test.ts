import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CniError } from './errors.js';
import { parseCniArgs, parseRequest } from './request.js';

const conf = JSON.stringify({ cniVersion: '1.0.0', name: 'net1', type: 'podnet-bridge' });
const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/run/netns/p', CNI_IFNAME: 'eth0' };

function err(e: Record<string, string | undefined>, stdin = conf): { code: number; msg: string; details: string } {
  try { parseRequest(e, stdin); } catch (x) { if (x instanceof CniError) return { code: x.code, msg: x.msg, details: x.details }; throw x; }
  throw new Error('no error');
}

test('missing variables are listed in the reference order with code 4', () => {
  assert.deepEqual(err({ CNI_COMMAND: 'ADD' }), { code: 4, msg: 'required env variables [CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME] missing', details: '' });
  assert.equal(err({ ...env, CNI_NETNS: undefined }).msg, 'required env variables [CNI_NETNS] missing');
  assert.equal(err({}).msg, 'required env variables [CNI_COMMAND] missing');
  // DEL does not need a netns (spec), and no command needs CNI_PATH here.
  assert.equal(parseRequest({ ...env, CNI_COMMAND: 'DEL', CNI_NETNS: undefined }, conf).command, 'DEL');
  assert.deepEqual(err({ ...env, CNI_COMMAND: 'FOO' }), { code: 4, msg: 'unknown CNI_COMMAND: FOO', details: '' });
});

test('configuration errors: JSON 6, name 7, version 1 with the supported list', () => {
  assert.equal(err(env, '{bad').code, 6);
  assert.match(err(env, '{bad').msg, /^error unmarshall network config: /);
  assert.deepEqual(err(env, '{"cniVersion":"1.0.0"}'), { code: 7, msg: 'missing network name', details: '' });
  const v = err(env, '{"cniVersion":"9.9.9","name":"n"}');
  assert.equal(v.code, 1);
  assert.equal(v.msg, 'incompatible CNI versions');
  assert.equal(v.details, 'config is "9.9.9", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0" "1.1.0"]');
  assert.equal(err({ ...env, CNI_COMMAND: 'CHECK' }, '{"cniVersion":"0.3.1","name":"n"}').msg, 'config version does not allow CHECK');
  assert.equal(err({ CNI_COMMAND: 'GC' }, '{"cniVersion":"1.0.0","name":"n"}').msg, 'config version does not allow GC');
});

test('container ID and interface name validation (codes 3 and 4)', () => {
  assert.deepEqual(err({ ...env, CNI_CONTAINERID: 'a b' }), { code: 4, msg: 'invalid characters in containerID', details: 'a b' });
  assert.equal(err({ ...env, CNI_IFNAME: 'eth0123456789abcdef' }).msg, 'interface name is too long');
  assert.equal(err({ ...env, CNI_IFNAME: 'a/b' }).msg, 'interface name contains / or : or whitespace characters');
  assert.equal(err({ ...env, CNI_IFNAME: '..' }).msg, 'interface name is . or ..');
  assert.equal(err({ ...env, CNI_IFNAME: '' }).msg, 'required env variables [CNI_IFNAME] missing');
});

test('STATUS and GC need no attachment; VERSION needs no configuration', () => {
  const gc = parseRequest({ CNI_COMMAND: 'GC' }, '{"cniVersion":"1.1.0","name":"n"}');
  assert.equal(gc.command, 'GC');
  assert.equal(parseRequest({ CNI_COMMAND: 'VERSION' }, '').cniVersion, '');
});

test('CNI_ARGS: unknown keys tolerated, a pair without = is the reference error', () => {
  const a = parseCniArgs('IgnoreUnknown=1;K8S_POD_NAME=web;IP=10.0.0.5');
  assert.equal(a.get('K8S_POD_NAME'), 'web');
  assert.equal(a.get('IP'), '10.0.0.5');
  assert.throws(() => parseCniArgs('K8S_POD_NAME'), /ARGS: invalid pair "K8S_POD_NAME"/);
});
