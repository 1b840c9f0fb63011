// Kernel test (root) of startServiceProxy with Services, EndpointSlices and the Node held in memory:
// a throwaway node namespace (eth0 on a bridge in a "host" namespace) gets the prerequisites, the table,
// the LoadBalancer announcement and the health check servers; /healthz and /metrics answer; stop with
// cleanup leaves nothing. The HTTP servers listen on loopback of the test process (the agent itself
// runs inside its node namespace and listens on the node IP).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { requireRoot } from '../../../linux/exec.js';
import type { ClusterConfig } from '../../../core/cluster/config.js';
import type { EndpointSlice, Service } from '../../../core/proxy/index.js';
import { startServiceProxy } from './index.js';
import type { NodeLike } from './node.js';
import type { ProxySources, SourceKind } from './sources.js';
import { endpoint, endpointSlice, service } from './objects.case.js';

const HOST = 'pns-sp-host', NODE = 'pns-sp-node', TABLE = 'pnssp';
const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });
const nft = (...args: string[]) => execFileSync('ip', ['netns', 'exec', NODE, 'nft', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

class MemorySources implements ProxySources {
  readonly svcs = new Map<string, Service>();
  readonly slices = new Map<string, EndpointSlice>();
  me: NodeLike | undefined;
  private cb: ((k: SourceKind) => void) | undefined;
  async start(cb: (k: SourceKind) => void) { this.cb = cb; }
  services() { return [...this.svcs.values()]; }
  endpointSlices() { return [...this.slices.values()]; }
  node() { return this.me; }
  async stop() { this.cb = undefined; }
  putService(s: Service) { this.svcs.set(`${s.metadata.namespace}/${s.metadata.name}`, s); this.cb?.('services'); }
  putSlice(s: EndpointSlice) { this.slices.set(`${s.metadata.namespace}/${s.metadata.name}`, s); this.cb?.('endpointslices'); }
  putNode(n: NodeLike) { this.me = n; this.cb?.('node'); }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

function cleanup(): void {
  for (const ns of [HOST, NODE]) { try { ip('netns', 'delete', ns); } catch { /* absent */ } }
}

const config = {
  name: 'pns', stateDir: '/nonexistent', underlayCIDR: '10.124.0.0/24', hostIP: '10.124.0.1', bridge: 'none', apiServerPort: 6443,
  clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24, serviceCIDR: '10.96.0.0/12', nodePortRange: '30000-32767',
  clusterDomain: 'cluster.local', dnsServiceIP: '10.96.0.10', overlay: 'vxlan', nodes: [{ name: 'pns-n1', ip: '10.124.0.11' }],
  paths: {} as ClusterConfig['paths'],
} as ClusterConfig;

before(() => {
  requireRoot('the node service proxy kernel test');
  cleanup();
  ip('netns', 'add', HOST);
  ip('netns', 'add', NODE);
  ip('-n', NODE, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'up0', 'netns', HOST);
  ip('-n', NODE, 'addr', 'add', '10.124.0.11/24', 'dev', 'eth0');
  ip('-n', NODE, 'link', 'set', 'eth0', 'up');
  ip('-n', HOST, 'addr', 'add', '10.124.0.1/24', 'dev', 'up0');
  ip('-n', HOST, 'link', 'set', 'up0', 'up');
  execFileSync('ip', ['netns', 'exec', NODE, 'sysctl', '-qw', 'net.ipv4.ip_forward=0']);
});
after(cleanup);

test('startServiceProxy programs the node, serves health and metrics, announces and health-checks LoadBalancers, cleans up', async () => {
  const sources = new MemorySources();
  const hcPort = await freePort();
  const lines: string[] = [];
  const trigger = new Date(Date.now() - 1500).toISOString();
  const web = service('default', 'web', '10.96.0.50', [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }],
    { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: hcPort });
  web.metadata.annotations = { 'podnet.io/announcing-node': 'pns-n1' };
  web.status = { loadBalancer: { ingress: [{ ip: '10.124.0.200', ipMode: 'VIP' }] } };
  sources.putService(web);
  sources.putService(service('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]));
  const slice = endpointSlice('default', 'web', [endpoint('10.244.1.5', { nodeName: 'pns-n1' }), endpoint('10.244.2.5', { nodeName: 'pns-n2' })],
    [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  slice.metadata.annotations = { 'endpoints.kubernetes.io/last-change-trigger-time': trigger };
  sources.putSlice(slice);
  sources.putNode({ metadata: { name: 'pns-n1' }, spec: { podCIDR: '10.244.1.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '10.124.0.11' }] } });

  const sp = await startServiceProxy(new KubeConfig(), config, 'pns-n1', {
    sources, netns: NODE, table: TABLE, bindAddress: '127.0.0.1', healthzPort: 0, minSyncPeriodMs: 50, log: (l) => lines.push(l),
  });
  try {
    await sp.flush();
    // Prerequisites in the node namespace.
    const sysctl = (k: string) => execFileSync('ip', ['netns', 'exec', NODE, 'sysctl', '-n', k], { encoding: 'utf8' }).trim();
    assert.equal(sysctl('net.ipv4.ip_forward'), '1');
    assert.equal(sysctl('net.bridge.bridge-nf-call-iptables'), '1');
    assert.equal(sysctl('net.ipv4.conf.eth0.arp_notify'), '1');
    // The table, with rules named after the Service.
    const table = nft('list', 'table', 'ip', TABLE);
    assert.match(table, /default\/web:http/);
    assert.match(table, /10\.96\.0\.50 \. tcp \. 80/);
    // The LoadBalancer address is on eth0, announced after the rules exist.
    assert.match(ip('-n', NODE, '-4', 'addr', 'show', 'dev', 'eth0'), /inet 10\.124\.0\.200\/32 scope global noprefixroute eth0:lb/);
    // Health and metrics.
    const base = `http://127.0.0.1:${sp.healthzPort}`;
    const hz = await fetch(`${base}/healthz`);
    assert.equal(hz.status, 200);
    const body = await hz.json() as Record<string, unknown>;
    assert.equal(body.nodeName, 'pns-n1');
    assert.equal(body.nodeHealthy, true);
    assert.equal((await fetch(`${base}/livez`)).status, 200);
    assert.equal(await (await fetch(`${base}/proxyMode`)).text(), 'nftables');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^kubeproxy_sync_proxy_rules_duration_seconds_count [1-9]\d*$/m);
    assert.match(metrics, /^kubeproxy_sync_full_proxy_rules_duration_seconds_count 1$/m);
    assert.match(metrics, /^kubeproxy_network_programming_duration_seconds_count 1$/m);
    assert.match(metrics, /^kubeproxy_network_programming_duration_seconds_bucket\{le="1"\} 0$/m);  // ≥ 1.5 s after the trigger
    assert.match(metrics, /^kubeproxy_sync_proxy_rules_last_timestamp_seconds \d+/m);
    // healthCheckNodePort: one local endpoint.
    let hc = await fetch(`http://127.0.0.1:${hcPort}/healthz`);
    assert.equal(hc.status, 200);
    assert.equal((await hc.json() as { localEndpoints: number }).localEndpoints, 1);

    // The local endpoint goes: 503 on the health check, the address moves to another node.
    const moved = { ...web, metadata: { ...web.metadata, resourceVersion: '2', annotations: { 'podnet.io/announcing-node': 'pns-n2' } } };
    sources.putService(moved);
    sources.putSlice({ ...slice, metadata: { ...slice.metadata, resourceVersion: '2' }, endpoints: [endpoint('10.244.2.5', { nodeName: 'pns-n2' })] });
    await sp.flush();
    hc = await fetch(`http://127.0.0.1:${hcPort}/healthz`);
    assert.equal(hc.status, 503);
    assert.doesNotMatch(ip('-n', NODE, '-4', 'addr', 'show', 'dev', 'eth0'), /10\.124\.0\.200/);
    assert.doesNotMatch(nft('list', 'table', 'ip', TABLE), /10\.244\.1\.5/);

    // Service environment for a pod of default.
    const env = await sp.serviceEnv({ metadata: { namespace: 'default' } });
    assert.equal(env.WEB_SERVICE_HOST, '10.96.0.50');
    assert.equal(env.WEB_SERVICE_PORT_HTTP, '80');
    assert.equal(env.KUBERNETES_PORT_443_TCP_ADDR, '10.96.0.1');

    // A Node being deleted: /healthz 503, /livez still 200.
    sources.putNode({ metadata: { name: 'pns-n1', deletionTimestamp: new Date().toISOString() }, spec: { podCIDR: '10.244.1.0/24' } });
    await sp.flush();
    assert.equal((await fetch(`${base}/healthz`)).status, 503);
    assert.equal((await fetch(`${base}/livez`)).status, 200);

    // Announce again, then stop with cleanup: no table, no address.
    sources.putService({ ...web, metadata: { ...web.metadata, resourceVersion: '3' } });
    await sp.flush();
    assert.match(ip('-n', NODE, '-4', 'addr', 'show', 'dev', 'eth0'), /10\.124\.0\.200/);
  } finally {
    await sp.stop({ cleanup: true });
  }
  assert.throws(() => nft('list', 'table', 'ip', TABLE));
  assert.doesNotMatch(ip('-n', NODE, '-4', 'addr', 'show', 'dev', 'eth0'), /10\.124\.0\.200/);
  await assert.rejects(fetch(`http://127.0.0.1:${sp.healthzPort}/healthz`));
  await assert.rejects(fetch(`http://127.0.0.1:${hcPort}/healthz`));
  assert.match(lines.join('\n'), /programmed table ip pnssp with 2 Services/);
});
