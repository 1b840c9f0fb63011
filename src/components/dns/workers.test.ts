// Worker processes on the primary's sockets, for real: queries are answered whichever process reads
// them, /metrics counts every query once over all processes, /ready waits for the workers, and a worker
// keeps answering on the shared socket when the primary has closed its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { DnsServer } from './server.js';
import { DnsWorkers } from './workers.js';
import { sourceFor } from './testing/fixture-source.js';
import { dig } from './testing/dig.js';

const COREFILE = '.:0 {\n bind 127.0.0.1\n errors\n ready 127.0.0.1:0\n prometheus 127.0.0.1:0\n kubernetes cluster.local\n}\n';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

test('a worker shares the listener: answers, summed metrics, readiness, and serving on its own', async () => {
  const logs: string[] = [];
  const server = await DnsServer.start({ corefile: COREFILE, sourceFor, localIPs: [], log: (l) => logs.push(l) });
  const workers = await DnsWorkers.start(server, { corefile: COREFILE, env: {}, sourceModule: new URL('./testing/fixture-source.ts', import.meta.url).href, localIPs: [] },
    1, { log: (l) => logs.push(l), onFatal: (e) => logs.push(`FATAL ${e.message}`) });
  server.setPeers(workers);
  try {
    assert.equal(workers.size, 1, logs.join('\n'));
    const port = server.addresses().dns[0].port;
    const http = server.addresses().http;
    const ready = http['ready 127.0.0.1:0'].port;
    const metrics = http['metrics 127.0.0.1:0'].port;
    assert.equal((await get(ready, '/ready')).status, 200);

    const answers = await Promise.all(Array.from({ length: 40 }, () => dig(port, 'svc1.testns.svc.cluster.local')));
    for (const a of answers) assert.deepEqual(a.answer, ['svc1.testns.svc.cluster.local. 5 A 10.0.0.1']);
    const text = (await get(metrics, '/metrics')).body;
    const count = [...text.matchAll(/^coredns_dns_requests_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    assert.equal(count, 40, 'every query counted once, whichever process answered it');
    assert.match(text, /^coredns_build_info\{[^}]*\} 1$/m, 'what every process reports alike is not summed');

    // The primary closes its sockets; the worker's copy still reads the same port.
    await server.stop(0);
    assert.deepEqual((await dig(port, 'svc1.testns.svc.cluster.local')).answer, ['svc1.testns.svc.cluster.local. 5 A 10.0.0.1']);
  } finally {
    await server.stop(0).catch(() => {});
    await workers.stop();
  }
  assert.equal(workers.size, 0);
});
