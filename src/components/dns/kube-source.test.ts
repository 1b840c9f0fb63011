// The DNS process against a real podnet API server (no namespaces, no root): Corefile from the coredns
// ConfigMap, informers on Services and EndpointSlices, answers following kubectl's changes, a
// ConfigMap edit reloading the server, a broken edit keeping the running config.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { parseDnsArgs, runDnsServer, type RunningDns } from './run.js';
import { dig } from './testing/dig.js';

let api: TestServer;
let dns: RunningDns;
let port: number;
const logs: string[] = [];

function corefile(ttl: number): string {
  return `.:0 {
    bind 127.0.0.1
    errors
    ready 127.0.0.1:0
    kubernetes cluster.local in-addr.arpa {
       pods insecure
       ttl ${ttl}
    }
    reload 2s 1s
}
`;
}

const yaml = (ttl: number) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: corefile(ttl) } });

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await api.kubectl(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function eventually<T>(what: string, f: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T;
  for (;;) {
    last = await f();
    if (ok(last)) return last;
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  api = await startTestServer('pnd-dns');
  await kubectl(['apply', '-f', '-'], yaml(30));
  await kubectl(['create', 'namespace', 'pnd-shop']);
  dns = await runDnsServer(parseDnsArgs([]), { env: { ...process.env, KUBECONFIG: api.kubeconfig }, log: (l) => logs.push(l), onFatal: (e) => logs.push(`FATAL ${e.message}`) });
  port = dns.server.addresses().dns[0].port;
});

after(async () => {
  await dns?.stop();
  await api?.cleanup();
});

test('the Corefile comes from the coredns ConfigMap and the server is ready once synced', async () => {
  assert.match(dns.corefile.description, /ConfigMap kube-system\/coredns/);
  const readyPort = dns.server.addresses().http['ready 127.0.0.1:0'].port;
  assert.equal((await fetch(`http://127.0.0.1:${readyPort}/ready`)).status, 200);
  // The kubernetes Service of the default namespace, made by podnet server itself.
  const k = await dig(port, 'kubernetes.default.svc.cluster.local');
  assert.deepEqual(k.answer, ['kubernetes.default.svc.cluster.local. 30 A 10.96.0.1']);
});

test('Services and EndpointSlices made with kubectl show up, change and go', async () => {
  for (const item of [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'pnd-shop' }, spec: { ports: [{ name: 'http', port: 80 }] } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'pnd-shop' }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] } },
      {
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'db-1', namespace: 'pnd-shop', labels: { 'kubernetes.io/service-name': 'db' } },
        addressType: 'IPv4', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
        endpoints: [{ addresses: ['10.244.1.7'], hostname: 'db-0', conditions: { ready: true } }, { addresses: ['10.244.2.8'], conditions: { ready: false } }],
      },
  ]) await kubectl(['apply', '-f', '-'], JSON.stringify(item));
  const ip = (await kubectl(['get', 'service', 'web', '-n', 'pnd-shop', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  await eventually('web A', () => dig(port, 'web.pnd-shop.svc.cluster.local'), (r) => r.answer[0] === `web.pnd-shop.svc.cluster.local. 30 A ${ip}`);
  const db = await eventually('db A', () => dig(port, 'db.pnd-shop.svc.cluster.local'), (r) => r.answer.length === 1);
  assert.deepEqual(db.answer, ['db.pnd-shop.svc.cluster.local. 30 A 10.244.1.7']);
  assert.deepEqual((await dig(port, 'db-0.db.pnd-shop.svc.cluster.local')).answer, ['db-0.db.pnd-shop.svc.cluster.local. 30 A 10.244.1.7']);
  assert.deepEqual((await dig(port, '_pg._tcp.db.pnd-shop.svc.cluster.local', 'SRV')).answer, ['_pg._tcp.db.pnd-shop.svc.cluster.local. 30 SRV 0 100 5432 db-0.db.pnd-shop.svc.cluster.local.']);
  const ptr = await dig(port, ip.split('.').reverse().join('.') + '.in-addr.arpa', 'PTR');
  assert.deepEqual(ptr.answer, [`${ip.split('.').reverse().join('.')}.in-addr.arpa. 30 PTR web.pnd-shop.svc.cluster.local.`]);

  // The second endpoint becomes ready.
  await kubectl(['patch', 'endpointslice', 'db-1', '-n', 'pnd-shop', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/endpoints/1/conditions/ready', value: true }])]);
  await eventually('db has two', () => dig(port, 'db.pnd-shop.svc.cluster.local'), (r) => r.answer.length === 2);

  await kubectl(['delete', 'service', 'web', '-n', 'pnd-shop']);
  await eventually('web gone', () => dig(port, 'web.pnd-shop.svc.cluster.local'), (r) => r.status === 'NXDOMAIN');
  await kubectl(['delete', 'endpointslice', 'db-1', '-n', 'pnd-shop']);
  await eventually('headless without endpoints is NXDOMAIN', () => dig(port, 'db.pnd-shop.svc.cluster.local'), (r) => r.status === 'NXDOMAIN');
  assert.equal((await dig(port, 'pnd-shop.svc.cluster.local')).status, 'NOERROR', 'an existing namespace is an empty non-terminal');
});

test('editing the ConfigMap reloads the server; a broken edit keeps the running Corefile', async () => {
  await kubectl(['apply', '-f', '-'], yaml(9));
  await eventually('ttl 9', () => dig(port, 'kubernetes.default.svc.cluster.local'), (r) => r.answer[0]?.includes(' 9 A '));
  await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: '.:0 {\n bind 127.0.0.1\n kubernetes cluster.local {\n  ttl 99999\n }\n}\n' } }));
  await eventually('reload failure logged', async () => logs.join('\n'), (l) => /Restart failed: Corefile:4 - ttl: ttl must be an integer between 0 and 3600/.test(l));
  assert.ok((await dig(port, 'kubernetes.default.svc.cluster.local')).answer[0].includes(' 9 A '));
});
