// Kernel test (root) of startPolicyProgrammer with NetworkPolicies, Pods and Namespaces held in memory,
// in a throwaway node namespace: it programs the table at start, follows changes, exports its metrics
// into the given registry (drop counters read from the kernel), and stop with cleanup removes the table.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { requireRoot } from '../../../linux/exec.js';
import type { Namespace, NetworkPolicy, Pod } from '../../../core/policy/index.js';
import { modelNamespace, modelPod, policy } from '../../../core/policy/fixtures.js';
import { startPolicyProgrammer, type PolicySources } from './index.js';

const NODE = `pol${process.pid}-idx`;
const TABLE = `pol${process.pid}-idx`;
const nft = (...args: string[]) => execFileSync('ip', ['netns', 'exec', NODE, 'nft', ...args], { encoding: 'utf8' });

class MemorySources implements PolicySources {
  nps: NetworkPolicy[] = [];
  podList: Pod[] = [modelPod('x', 'a', '10.244.1.10', { nodeName: 'n1' }), modelPod('x', 'b', '10.244.2.10', { nodeName: 'n2' })];
  private cb: ((kind: 'networkpolicies') => void) | undefined;
  async start(cb: (kind: 'networkpolicies') => void) { this.cb = cb; }
  policies() { return this.nps; }
  pods() { return this.podList; }
  namespaces(): Namespace[] { return [modelNamespace('x')]; }
  async stop() { this.cb = undefined; }
  put(np: NetworkPolicy) { this.nps.push(np); this.cb?.('networkpolicies'); }
}

before(() => {
  requireRoot('the NetworkPolicy programmer start-up test');
  try { execFileSync('ip', ['netns', 'delete', NODE]); } catch { /* absent */ }
  execFileSync('ip', ['netns', 'add', NODE]);
});
after(() => { try { execFileSync('ip', ['netns', 'delete', NODE]); } catch { /* gone */ } });

test('startPolicyProgrammer programs, follows changes, exports metrics, cleans up', async () => {
  const sources = new MemorySources();
  const registry = new Registry();
  const lines: string[] = [];
  const running = await startPolicyProgrammer(new KubeConfig(), 'n1', { netns: NODE, table: TABLE, registry, sources, log: (l) => lines.push(l) });
  // No pod isolated yet: the table is there, without a chain on the forward hook (no per-packet cost).
  assert.doesNotMatch(nft('list', 'table', 'ip', TABLE), /chain forward/);
  sources.put(policy('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }));
  await running.flush();
  const table = nft('list', 'table', 'ip', TABLE);
  assert.match(table, /chain forward/);
  assert.match(table, /10\.244\.1\.10 comment "x\/a" : goto ingress-10\.244\.1\.10/);
  assert.doesNotMatch(table, /10\.244\.2\.10 comment/, 'pods of other nodes are not programmed here');
  const text = await registry.metrics();
  assert.match(text, /podnet_networkpolicy_isolated_pods\{direction="ingress"\} 1/);
  assert.match(text, /podnet_networkpolicy_dropped_packets_total\{namespace="x",policy="deny",direction="ingress"\} 0/);
  assert.match(text, /podnet_networkpolicy_pod_dropped_packets_total\{namespace="x",pod="a",direction="ingress"\} 0/);
  assert.ok(lines.some((l) => /network policy: (programmed|updated) table ip/.test(l)), lines.join('\n'));
  await running.stop({ cleanup: true });
  assert.doesNotMatch(nft('list', 'tables'), new RegExp(TABLE));
});
