import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCorednsImage } from '../../workloads/dns.js';
import { parseImage } from '../../workloads/images.js';
import { parseDnsArgs, runDnsServer, UsageError } from './run.js';
import { dig } from './testing/dig.js';
import { startStubUpstream } from './testing/stub-upstream.js';

test("CoreDNS's flags, Go style, and podnet's -configmap", () => {
  assert.deepEqual(parseDnsArgs(['-conf', '/etc/coredns/Corefile'], {}), { conf: '/etc/coredns/Corefile', configMap: { namespace: 'kube-system', name: 'coredns' } });
  assert.deepEqual(parseDnsArgs(['--conf=/x', '-dns.port=1053', '-configmap', 'dns/corefile'], {}), { conf: '/x', dnsPort: 1053, configMap: { namespace: 'dns', name: 'corefile' } });
  assert.deepEqual(parseDnsArgs([], { POD_NAMESPACE: 'infra' }).configMap, { namespace: 'infra', name: 'coredns' });
  assert.throws(() => parseDnsArgs(['-quiet']), (e) => e instanceof UsageError && /unknown flag -quiet; podnet dns knows -conf, -dns.port and -configmap/.test(e.message));
  assert.throws(() => parseDnsArgs(['-dns.port', 'x']), /-dns.port must be a port number/);
  assert.throws(() => parseDnsArgs(['-conf']), /-conf needs a value/);
});

test('the images that select the dns workload', () => {
  for (const image of ['registry.k8s.io/coredns/coredns:v1.12.0', 'coredns/coredns:1.11.1', 'docker.io/coredns/coredns']) assert.ok(isCorednsImage(parseImage(image).repository), image);
  assert.ok(!isCorednsImage(parseImage('nginx').repository));
});

test('a Corefile file is polled and reloaded when it changes (reload plugin), as CoreDNS does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pnd-run-'));
  const stub = await startStubUpstream({ 'www.example.test': [{ type: 'A', data: '192.0.2.7' }] });
  const file = join(dir, 'Corefile');
  writeFileSync(file, '.:0 {\n bind 127.0.0.1\n whoami\n reload 2s 1s\n}\n');
  const logs: string[] = [];
  const dns = await runDnsServer(parseDnsArgs(['-conf', file], {}), { log: (l) => logs.push(l), env: {} });
  try {
    assert.equal(dns.corefile.description, `file ${file}`);
    const port = dns.server.addresses().dns[0].port;
    assert.deepEqual((await dig(port, 'www.example.test')).additional.slice(0, 1), ['www.example.test. 0 A 127.0.0.1']);
    writeFileSync(file, `.:0 {\n bind 127.0.0.1\n forward . 127.0.0.1:${stub.port}\n reload 2s 1s\n}\n`);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const r = await dig(port, 'www.example.test');
      if (r.answer[0] === 'www.example.test. 300 A 192.0.2.7') break;
      assert.ok(Date.now() < deadline, `not reloaded: ${logs.join('\n')}`);
      await new Promise((res) => setTimeout(res, 300));
    }
    assert.ok(logs.includes('[INFO] Reloading complete'));
  } finally {
    await dns.stop();
    await stub.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no Corefile file and no way to the API: the error says what to give the pod', async () => {
  await assert.rejects(runDnsServer(parseDnsArgs(['-conf', '/nonexistent/Corefile'], {}), { log: () => {}, env: {} }),
    /no way to reach the Kubernetes API: give the pod KUBECONFIG, or KUBERNETES_SERVICE_HOST\/PORT with a service account token/);
});
