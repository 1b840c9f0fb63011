// Cluster DNS benchmark, on loopback, no root needed:
//  1. dnsperf against podnet's DNS server (1,000 ClusterIP Services in memory, the kubernetes plugin
//     with errors, prometheus, cache and loadbalance as in kubeadm's Corefile; no forward: nothing may
//     leave the machine), once as one process and once
//     with worker processes (--processes, default one per CPU, as the dns workload runs), and, in the
//     same run, against dnsmasq (Debian dnsmasq-base) serving the same names from an addn-hosts file:
//     QPS and latency percentiles (from dnsperf -v per-query latencies), and the ratios;
//  2. "Service created → first correct answer": a podnet API server process and the DNS server with
//     informers; Services are created one at a time through the API and the DNS is polled until it
//     answers with the ClusterIP: p50/p99 over 200 Services.
//
//   node --import tsx bench/dns.ts                       both parts
//   node --import tsx bench/dns.ts --seconds 5 --services 1000 --clients 4 --skip-programming
//   node --import tsx bench/dns.ts --short                3 s of dnsperf each, 50 Services
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { newQuery, RRType } from '../src/core/dns/types.js';
import { decodeMessage, encodeMessage } from '../src/core/dns/wire.js';
import { availableParallelism } from 'node:os';
import { DnsServer, DnsWorkers, kubeClusterSource, kubeConfigFor } from '../src/components/dns/index.js';
import { freeUdpTcpPort } from '../src/components/dns/transport.js';
import { ipOf, nameOf, sourceFor } from './support/dns-bench-source.js';
import { startTestServer } from '../test/support/server.js';
import { sized } from './support/short.js';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string', default: sized('10', '3') },
    services: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '4' },
    outstanding: { type: 'string', default: '100' },
    'programming-services': { type: 'string', default: sized('200', '50') },
    short: { type: 'boolean', default: false },
    'skip-programming': { type: 'boolean', default: false },
    processes: { type: 'string', default: String(availableParallelism()) },
  },
});

const SERVICES = Number(args.services);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]; };

const COREFILE = `.:0 {
    bind 127.0.0.1
    errors
    prometheus 127.0.0.1:0
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loadbalance
}
`;

/** Child mode: the podnet DNS server with SERVICES Services in memory, in `processes` processes. */
async function serve(processes: number): Promise<void> {
  process.env.BENCH_DNS_SERVICES = String(SERVICES);
  const log = (line: string) => { if (/^\[(ERROR|WARNING|FATAL)\]/.test(line)) process.stderr.write(`${line}\n`); };
  const server = await DnsServer.start({ corefile: COREFILE, sourceFor, localIPs: [], log });
  const workers = await DnsWorkers.start(server, { corefile: COREFILE, env: { ...process.env }, sourceModule: new URL('./support/dns-bench-source.ts', import.meta.url).href, localIPs: [] },
    processes - 1, { log, onFatal: (e) => { throw e; } });
  if (workers.size !== processes - 1) throw new Error(`only ${workers.size} of ${processes - 1} workers started`);
  server.setPeers(workers.size ? workers : undefined);
  process.stdout.write(`READY ${server.addresses().dns[0].port}\n`);
  process.on('SIGTERM', () => { void Promise.all([server.stop(0), workers.stop()]).then(() => process.exit(0)); });
}

interface PerfResult { server: string; qps: number; sent: number; completed: number; lost: number; p50: number; p90: number; p99: number; max: number; avg: number }

function runDnsperf(label: string, port: number, datafile: string): Promise<PerfResult> {
  return new Promise((resolve, reject) => {
    const p = spawn('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', datafile, '-l', args.seconds!, '-c', args.clients!, '-q', args.outstanding!, '-v'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const latencies: number[] = [];
    let out = '';
    let partial = '';
    p.stdout.on('data', (d: Buffer) => {
      const text = partial + d.toString();
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        // Verbose lines: "> NOERROR svc-1.bench.svc.cluster.local A 0.000123"
        const m = /^> \S+ \S+ \S+ ([0-9.]+)$/.exec(line);
        if (m) latencies.push(Number(m[1]) * 1000); else out += `${line}\n`;
      }
    });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', (e) => reject(new Error(`dnsperf could not run (${e.message}); install the Debian package dnsperf`)));
    p.on('close', (code) => {
      if (code !== 0) { reject(new Error(`dnsperf exited ${code}: ${err}${out}`)); return; }
      const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
      resolve({
        server: label, qps: num(/Queries per second:\s+([0-9.]+)/), sent: num(/Queries sent:\s+(\d+)/), completed: num(/Queries completed:\s+(\d+)/),
        lost: num(/Queries lost:\s+(\d+)/), avg: num(/Average Latency \(s\):\s+([0-9.]+)/) * 1000,
        p50: pct(latencies, 50), p90: pct(latencies, 90), p99: pct(latencies, 99), max: latencies.reduce((m, x) => Math.max(m, x), 0),
      });
    });
  });
}

function startChild(argv: string[], ready: RegExp, what: string): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      const m = ready.exec(seen);
      if (m) { child.stdout!.off('data', onData); child.stderr!.off('data', onData); resolve({ child, match: m }); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', (e) => reject(new Error(`${what} could not start: ${e.message}`)));
    child.on('exit', (code) => reject(new Error(`${what} exited ${code} before it was ready: ${seen}`)));
  });
}


async function throughput(work: string): Promise<PerfResult[]> {
  const datafile = join(work, 'queries.txt');
  writeFileSync(datafile, Array.from({ length: SERVICES }, (_, i) => `${nameOf(i + 1)} A`).join('\n') + '\n');
  const hosts = join(work, 'hosts');
  writeFileSync(hosts, Array.from({ length: SERVICES }, (_, i) => `${ipOf(i + 1)} ${nameOf(i + 1)}`).join('\n') + '\n');

  const startPodnet = (processes: number) => startChild([process.execPath, '--import', 'tsx', new URL(import.meta.url).pathname, 'serve', '--services', String(SERVICES), '--processes', String(processes)], /READY (\d+)/, 'podnet dns');
  const dnsmasqPort = await freeUdpTcpPort();
  const dnsmasq = await startChild(['dnsmasq', '--no-daemon', '-C', '/dev/null', '--no-resolv', '--no-hosts', `--addn-hosts=${hosts}`, '--local=/cluster.local/',
    '--listen-address=127.0.0.1', '--bind-interfaces', `--port=${dnsmasqPort}`, '--cache-size=10000', '--pid-file', '--user=root', '--log-facility=-'], /started, version/, 'dnsmasq');
  const out: PerfResult[] = [];
  try {
    // Warm each, then measure one after the other (never at the same time: the machine is shared).
    for (const n of [...new Set([1, Number(args.processes)])]) {
      const podnet = await startPodnet(n);
      try {
        const port = Number(podnet.match[1]);
        await runDnsperfQuiet(port, datafile);
        out.push(await runDnsperf(`podnet dns, ${n} process${n > 1 ? 'es' : ''}`, port, datafile));
      } finally {
        podnet.child.kill('SIGTERM');
      }
    }
    await runDnsperfQuiet(dnsmasqPort, datafile);
    out.push(await runDnsperf('dnsmasq 2.90', dnsmasqPort, datafile));
    return out;
  } finally {
    dnsmasq.child.kill('SIGTERM');
  }
}

async function runDnsperfQuiet(port: number, datafile: string): Promise<void> {
  await new Promise<void>((resolve) => {
    const p = spawn('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', datafile, '-n', '1'], { stdio: 'ignore' });
    p.on('close', () => resolve());
    p.on('error', () => resolve());
  });
}

/** Sends one A query over UDP; resolves with the first address of the answer, or undefined. */
function queryA(port: number, name: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); resolve(undefined); }, 500);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      try { resolve(decodeMessage(m).answer.find((r) => r.type === RRType.A)?.data as string | undefined); } catch { resolve(undefined); }
    });
    s.send(encodeMessage(newQuery(name, RRType.A)), port, '127.0.0.1');
  });
}

async function programming(count: number): Promise<number[]> {
  const api = await startTestServer('pnd-bench');
  const env = { ...process.env, KUBECONFIG: api.kubeconfig };
  const kc = kubeConfigFor({}, env);
  const server = await DnsServer.start({
    corefile: '.:0 {\n bind 127.0.0.1\n kubernetes cluster.local\n}\n', localIPs: [], log: () => {},
    sourceFor: (cfg) => kubeClusterSource(kc, cfg),
  });
  const port = server.addresses().dns[0].port;
  const core = kc.makeApiClient(CoreV1Api);
  const samples: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const name = `prog-${i}`;
      const t0 = performance.now();
      const svc = await core.createNamespacedService({ namespace: 'default', body: { metadata: { name }, spec: { ports: [{ port: 80 }] } } });
      const want = svc.spec?.clusterIP;
      for (;;) {
        if (await queryA(port, `${name}.default.svc.cluster.local`) === want) break;
        if (performance.now() - t0 > 10_000) throw new Error(`${name} not answered after 10 s`);
      }
      samples.push(performance.now() - t0);
    }
  } finally {
    await server.stop(0);
    await api.cleanup();
  }
  return samples;
}

async function main(): Promise<void> {
  if (positionals[0] === 'serve') { await serve(Number(args.processes)); return; }
  const work = mkdtempSync(join(tmpdir(), 'pnd-bench-'));
  try {
    console.log(`# Cluster DNS: dnsperf -l ${args.seconds} -c ${args.clients} -q ${args.outstanding}, ${SERVICES} names, A queries, loopback`);
    const results = await throughput(work);
    const peer = results[results.length - 1];
    console.log('| server | QPS | completed | lost | avg ms | p50 ms | p90 ms | p99 ms | max ms | QPS vs dnsmasq | p99 vs dnsmasq |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of results) console.log(`| ${r.server} | ${r.qps.toFixed(0)} | ${r.completed} | ${r.lost} | ${r.avg.toFixed(3)} | ${r.p50.toFixed(3)} | ${r.p90.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.max.toFixed(3)} | ${(r.qps / peer.qps).toFixed(2)} | ${(r.p99 / peer.p99).toFixed(2)} |`);
    if (!args['skip-programming']) {
      const n = Number(args['programming-services']);
      const s = await programming(n);
      console.log(`\n# Service created (API call) → first correct answer, ${n} Services one at a time, podnet API server + informers`);
      console.log(`p50 ${pct(s, 50).toFixed(1)} ms, p90 ${pct(s, 90).toFixed(1)} ms, p99 ${pct(s, 99).toFixed(1)} ms, max ${s.reduce((m, x) => Math.max(m, x), 0).toFixed(1)} ms`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
