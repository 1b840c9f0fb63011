// Kernel test (root) of the policy programmer in throwaway namespaces: a node namespace with a cni0
// bridge (br_netfilter on, as the service proxy sets it) and three pods on it, plus a DNAT rule standing
// in for a ClusterIP. Probes are real TCP/UDP connections (socat) between the pod namespaces.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { requireRoot } from '../../../linux/exec.js';
import { nftListCounters } from '../../../linux/nft.js';
import type { NetworkPolicy, Pod } from '../../../core/policy/index.js';
import { modelNamespace, modelPod, policy } from '../../../core/policy/fixtures.js';
import { PolicyProgrammer } from './programmer.js';

const P = `pol${process.pid}`;
const NODE = `${P}-node`;
const TABLE = `${P}-policy`;
const PODS = { a: '10.244.1.10', b: '10.244.1.11', c: '10.244.1.12' } as const;
type PodName = keyof typeof PODS;
const pod = (n: PodName) => `${P}-${n}`;
const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });
const servers: Array<{ kill(): void }> = [];

function cleanup(): void {
  for (const s of servers) { try { s.kill(); } catch { /* gone */ } }
  for (const ns of [NODE, ...Object.keys(PODS).map((n) => pod(n as PodName))]) { try { ip('netns', 'delete', ns); } catch { /* absent */ } }
}

function serve(ns: string, args: string[]): void {
  const child = spawn('ip', ['netns', 'exec', ns, 'socat', ...args], { stdio: 'ignore' });
  servers.push(child);
}

before(async () => {
  requireRoot('the NetworkPolicy programmer kernel test');
  cleanup();
  ip('netns', 'add', NODE);
  ip('-n', NODE, 'link', 'add', 'cni0', 'type', 'bridge');
  ip('-n', NODE, 'addr', 'add', '10.244.1.1/24', 'dev', 'cni0');
  ip('-n', NODE, 'link', 'set', 'cni0', 'up');
  ip('-n', NODE, 'link', 'set', 'lo', 'up');
  execFileSync('ip', ['netns', 'exec', NODE, 'sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1', 'net.ipv4.ip_forward=1']);
  for (const [n, addr] of Object.entries(PODS)) {
    const ns = pod(n as PodName);
    ip('netns', 'add', ns);
    ip('-n', NODE, 'link', 'add', `veth${n}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    ip('-n', NODE, 'link', 'set', `veth${n}`, 'master', 'cni0', 'up');
    ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'route', 'add', 'default', 'via', '10.244.1.1');
    // Echo servers: a probe succeeds when its line comes back.
    serve(ns, ['TCP-LISTEN:80,fork,reuseaddr', 'PIPE']);
    serve(ns, ['TCP-LISTEN:81,fork,reuseaddr', 'PIPE']);
    serve(ns, ['UDP-RECVFROM:80,fork', 'PIPE']);
  }
  // A ClusterIP 10.96.0.50:8080 → b:80, as the service proxy would program it (DNAT in the node).
  execFileSync('ip', ['netns', 'exec', NODE, 'nft', '-f', '-'], {
    input: `add table ip ${P}-svc\nadd chain ip ${P}-svc pre { type nat hook prerouting priority -100 ; }\n`
      + `add rule ip ${P}-svc pre ip daddr 10.96.0.50 tcp dport 8080 dnat to ${PODS.b}:80\n`,
  });
  await new Promise((r) => setTimeout(r, 300));
});
after(cleanup);

/** One probe: '.' when the connection got its line echoed, 'X' when it did not (drop → timeout). */
async function probe(from: PodName, to: string, port: number, proto: 'tcp' | 'udp' = 'tcp'): Promise<'.' | 'X'> {
  const target = proto === 'tcp' ? `TCP:${to}:${port},connect-timeout=1` : `UDP:${to}:${port}`;
  const out = await new Promise<string>((resolve) => {
    const child = spawn('ip', ['netns', 'exec', pod(from), 'socat', '-T1', '-', target], { stdio: ['pipe', 'pipe', 'ignore'] });
    let got = '';
    child.stdout.on('data', (d) => { got += String(d); });
    child.on('close', () => resolve(got));
    child.on('error', () => resolve(''));
    child.stdin.end('probe\n');
  });
  return out.includes('probe') ? '.' : 'X';
}

/** A 3×3 matrix over a, b, c on one port: rows from, columns to. */
async function matrix(port: number, proto: 'tcp' | 'udp' = 'tcp'): Promise<string> {
  const names = Object.keys(PODS) as PodName[];
  const cells = await Promise.all(names.flatMap((f) => names.map((t) => (f === t ? Promise.resolve('.' as const) : probe(f, PODS[t], port, proto)))));
  return [0, 1, 2].map((i) => cells.slice(i * 3, i * 3 + 3).join('')).join(' ');
}

const state = { policies: [] as NetworkPolicy[], pods: [] as Pod[] };
for (const [n, addr] of Object.entries(PODS)) state.pods.push(modelPod('x', n, addr, { nodeName: 'n1' }));
const programmer = new PolicyProgrammer({
  nodeName: 'n1', netns: NODE, table: TABLE,
  state: { policies: () => state.policies, pods: () => state.pods, namespaces: () => [modelNamespace('x')] },
});

test('no policy: every pod reaches every pod', async () => {
  await programmer.sync();
  assert.equal(await matrix(80), '... ... ...');
});

test('default deny ingress for b: a and c cannot reach it (TCP and UDP), drops are counted; a pod cannot block itself', async () => {
  state.policies = [policy('x', 'deny-b', { podSelector: { matchLabels: { pod: 'b' } }, policyTypes: ['Ingress'] })];
  await programmer.sync();
  assert.equal(await matrix(80), '.X. ... .X.');
  assert.equal(await matrix(80, 'udp'), '.X. ... .X.');
  const counters = await nftListCounters('ip', TABLE, { netns: NODE });
  assert.ok((counters.get(`drop-ingress-${PODS.b}`)?.packets ?? 0) > 0);
});

test('allow b from a on TCP 80 (also through a ClusterIP, checked after DNAT); 81 and c stay closed', async () => {
  state.policies.push(policy('x', 'b-from-a', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'a' } } }], ports: [{ protocol: 'TCP', port: 80 }] }] }));
  await programmer.sync();
  assert.equal(await matrix(80), '... ... .X.');
  assert.deepEqual(await Promise.all([probe('a', '10.96.0.50', 8080), probe('c', '10.96.0.50', 8080), probe('a', PODS.b, 81)]), ['.', 'X', 'X']);
});

test('egress deny for c with egress to a only; ingress rules of others unchanged', async () => {
  state.policies.push(policy('x', 'c-to-a', { podSelector: { matchLabels: { pod: 'c' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.244.1.0/24', except: ['10.244.1.11/32', '10.244.1.12/32'] } }] }] }));
  await programmer.sync();
  assert.equal(await matrix(80), '... ... .X.');
  assert.equal(await matrix(81), '.X. ... .X.');
  assert.deepEqual(await Promise.all([probe('c', PODS.a, 81), probe('c', PODS.b, 81, 'tcp')]), ['.', 'X']);
});

test('a connection established before a deny keeps working; new ones are refused (documented choice)', async () => {
  state.policies = [];
  await programmer.sync();
  const child = spawn('ip', ['netns', 'exec', pod('a'), 'socat', '-', `TCP:${PODS.c}:81`], { stdio: ['pipe', 'pipe', 'ignore'] });
  servers.push(child);
  let got = '';
  child.stdout.on('data', (d) => { got += String(d); });
  const echo = async (line: string) => {
    child.stdin.write(`${line}\n`);
    for (let i = 0; i < 100 && !got.includes(line); i++) await new Promise((r) => setTimeout(r, 20));
    return got.includes(line);
  };
  assert.equal(await echo('one'), true);
  state.policies = [policy('x', 'deny-c', { podSelector: { matchLabels: { pod: 'c' } }, policyTypes: ['Ingress'] })];
  await programmer.sync();
  assert.equal(await echo('two'), true);
  assert.equal(await probe('a', PODS.c, 81), 'X');
  child.kill();
});

test('admit: a pod the API has not shown yet is programmed before admit resolves', async () => {
  state.policies = [policy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] })];
  state.pods = state.pods.filter((p) => p.metadata?.name !== 'c');
  await programmer.sync();
  assert.equal(await probe('a', PODS.c, 80), '.');
  const c = modelPod('x', 'c', PODS.c, { nodeName: 'n1' });
  c.status = {};
  await programmer.admit(c, [PODS.c]);
  assert.equal(await probe('a', PODS.c, 80), 'X');
});

test('stop leaves the rules in the kernel (agent killed); cleanup removes the table', async () => {
  await programmer.stop();
  assert.equal(await probe('a', PODS.b, 80), 'X');
  const p2 = new PolicyProgrammer({ nodeName: 'n1', netns: NODE, table: TABLE, state: { policies: () => [], pods: () => state.pods, namespaces: () => [] } });
  await p2.sync();
  assert.equal(await probe('a', PODS.b, 80), '.');
  await p2.stop({ cleanup: true });
  assert.doesNotMatch(execFileSync('ip', ['netns', 'exec', NODE, 'nft', 'list', 'tables'], { encoding: 'utf8' }), new RegExp(TABLE));
});
