// API server benchmark: create 10,000 objects (throughput), list 10,000 (latency, JSON and Table),
// watch fan-out to 100 watchers (event latency), and the server's memory with 10,000 objects.
// Run: node --import tsx bench/api.ts [--objects N] [--watchers N] [--short: 1,000 objects, 20 watchers]
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { startTestServer } from '../test/support/server.js';
import { sized } from './support/short.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const OBJECTS = arg('objects', sized(10_000, 1_000));
const WATCHERS = arg('watchers', sized(100, 20));
const CONCURRENCY = 32;

const s = await startTestServer('bench-api');
const ca = readFileSync(s.caCert);
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY + WATCHERS + 4, ca });
const auth = { authorization: `Bearer ${s.token}` };

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${s.url}${path}`, { method, agent, headers: { ...auth, 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const pct = (xs: number[], p: number) => { const a = [...xs].sort((x, y) => x - y); return a[Math.min(a.length - 1, Math.floor(p * a.length))]; };
const rssMiB = () => {
  const pid = s.pid();
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

try {
  const rssStart = rssMiB();
  // 1. create
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < OBJECTS) {
      const i = next++;
      const r = await call('POST', '/api/v1/namespaces/default/configmaps', {
        apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels: { app: 'bench', shard: String(i % 10) } },
        data: { key: `value-${i}` },
      });
      if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.text}`);
    }
  }));
  const createSec = (performance.now() - t0) / 1000;

  // 2. list
  const listTimes: number[] = [], tableTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    let t = performance.now();
    const r = await call('GET', '/api/v1/namespaces/default/configmaps?limit=500');
    listTimes.push(performance.now() - t);
    if (JSON.parse(r.text).items.length < OBJECTS) throw new Error('list is short');
    t = performance.now();
    await call('GET', '/api/v1/namespaces/default/configmaps?limit=500', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    tableTimes.push(performance.now() - t);
  }
  const rssLoaded = rssMiB();

  // 3. watch fan-out
  const rv = JSON.parse((await call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=none%3Dnone')).text).metadata.resourceVersion;
  const EVENTS = 200;
  const latencies: number[] = [];
  const sentAt = new Map<string, number>();
  let received = 0;
  const streams: Array<{ destroy(): void }> = [];
  await Promise.all(Array.from({ length: WATCHERS }, () => new Promise<void>((resolve, reject) => {
    const req = request(`${s.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&labelSelector=app%3Dwatched`,
      { agent, headers: auth }, (res) => {
        let buf = '';
        res.on('data', (c: Buffer) => {
          buf += c.toString();
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
            const ev = JSON.parse(line);
            const at = sentAt.get(ev.object?.metadata?.name);
            if (at !== undefined) { latencies.push(performance.now() - at); received++; }
          }
        });
        resolve();
      });
    req.on('error', reject);
    req.end();
    streams.push(req);
  })));
  await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < EVENTS; i++) {
    const name = `watched-${i}`;
    sentAt.set(name, performance.now());
    await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'watched' } } });
    await new Promise((r) => setTimeout(r, 5));
  }
  const deadline = Date.now() + 10_000;
  while (received < EVENTS * WATCHERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const st of streams) st.destroy();

  const rows = [
    ['create objects', `${OBJECTS} ConfigMaps, ${CONCURRENCY} in flight`, `${Math.round(OBJECTS / createSec)} objects/s (${createSec.toFixed(1)} s)`],
    ['list (JSON)', `${OBJECTS} objects`, `p50 ${pct(listTimes, 0.5).toFixed(0)} ms, max ${Math.max(...listTimes).toFixed(0)} ms`],
    ['list (Table)', `${OBJECTS} objects`, `p50 ${pct(tableTimes, 0.5).toFixed(0)} ms, max ${Math.max(...tableTimes).toFixed(0)} ms`],
    ['watch fan-out', `${WATCHERS} watchers × ${EVENTS} events (${received} delivered)`, `p50 ${pct(latencies, 0.5).toFixed(1)} ms, p99 ${pct(latencies, 0.99).toFixed(1)} ms`],
    ['server RSS', `empty → ${OBJECTS} objects`, `${rssStart.toFixed(0)} MiB → ${rssLoaded.toFixed(0)} MiB`],
  ];
  console.log('| measurement | setup | result |\n|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
} finally {
  agent.destroy();
  await s.cleanup();
}
