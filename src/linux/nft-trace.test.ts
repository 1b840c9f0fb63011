// Kernel tests (root) for --prove's tools in a throwaway namespace `pnp-trc-<pid>`: the trace table marks
// only the flow it names, `nft monitor trace` reports it, the probe connects from a chosen port, `ss`
// lists the listener, and nothing is left behind. Plus the trace-line parser on nft's own output.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { requireRoot, run } from './exec.js';
import { addTraceTable, deleteTraceTable, parseTraceLine, startTraceMonitor, traceTableText } from './nft-trace.js';
import { armConnectProbe, connectProbe, listeningSockets } from './probe.js';
import { nftListTables } from './nft.js';

const NS = `pnp-trc-${process.pid}`;
const TABLE = `podnet-trace-${process.pid}`;

before(async () => {
  requireRoot('src/linux/nft-trace.test.ts');
  await run(['ip', 'netns', 'add', NS]);
  await run(['ip', '-n', NS, 'link', 'set', 'lo', 'up']);
});
after(async () => {
  await run(['ip', 'netns', 'del', NS], { okExitCodes: [1] });
});

test('parseTraceLine reads nft monitor trace lines', () => {
  const p = parseTraceLine('trace id 1a2b3c4d ip podnet-trace-1 forward-seen packet: iif "cni0" oif "flannel.1" ether saddr 02:00:00:00:00:01 ip saddr 10.244.1.5 ip daddr 10.244.2.7 ip dscp cs0 ip ecn not-ect ip ttl 63 ip id 1 ip length 60 tcp sport 41000 tcp dport 80 tcp flags == syn');
  assert.deepEqual({ ...p, text: undefined }, { id: '1a2b3c4d', table: 'podnet-trace-1', chain: 'forward-seen', kind: 'packet', text: undefined, iif: 'cni0', oif: 'flannel.1', saddr: '10.244.1.5', daddr: '10.244.2.7', sport: 41000, dport: 80 });
  const r = parseTraceLine('trace id 1a2b3c4d ip podnet services rule ip daddr . meta l4proto . th dport vmap @service-ips (verdict jump clusterip-tcp-2)');
  assert.equal(r?.kind, 'rule');
  assert.equal(r?.table, 'podnet');
  assert.equal(parseTraceLine('something else'), undefined);
});

test('the table refuses a bad name and matches only the flow it names', () => {
  assert.throws(() => traceTableText('bad name;', []), /invalid nft table name/);
  const text = traceTableText('t', [{ proto: 'tcp', sport: 41000 }, { proto: 'tcp', daddr: '10.244.2.7', dport: 80 }]);
  assert.match(text, /meta l4proto tcp th sport 41000 meta nftrace set 1/);
  assert.match(text, /meta l4proto tcp ip daddr 10\.244\.2\.7 th dport 80 meta nftrace set 1/);
});

test('a probe from a chosen port is traced, its listener is seen by ss, and the table goes away', async () => {
  const server = spawn('ip', ['netns', 'exec', NS, process.execPath, '-e', "require('net').createServer((s) => s.end()).listen(8081, '127.0.0.1', () => console.log('up'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise((r) => server.stdout!.once('data', r));
    const socks = await listeningSockets(NS);
    assert.ok(socks.some((s) => s.proto === 'tcp' && s.addr === '127.0.0.1' && s.port === 8081), JSON.stringify(socks));
    await addTraceTable(TABLE, [{ proto: 'tcp', sport: 45123 }, { proto: 'tcp', dport: 45123 }], NS);
    const mon = await startTraceMonitor(NS);
    const ok = await connectProbe('tcp', '127.0.0.1', 8081, 45123, 2000, NS);
    const refused = await connectProbe('tcp', '127.0.0.1', 8082, 45124, 2000, NS);
    const events = (await mon.stop()).map(parseTraceLine).filter((e) => e?.kind === 'packet');
    assert.equal(ok.result, 'connected', ok.detail);
    assert.equal(refused.result, 'refused', refused.detail);
    assert.ok(events.some((e) => e!.sport === 45123 && e!.dport === 8081 && e!.chain === 'output'), 'the SYN in output');
    assert.ok(events.some((e) => e!.sport === 8081 && e!.dport === 45123), 'the reply');
    assert.ok(!events.some((e) => e!.sport === 45124), 'the other flow is not traced');
  } finally {
    server.kill();
    await deleteTraceTable(TABLE, NS);
  }
  assert.ok(!(await nftListTables({ netns: NS })).some((t) => t.includes(TABLE)));
});

test('an armed probe binds its port at once and connects only when fired', async () => {
  const p = await armConnectProbe('tcp', '127.0.0.1', 8083, 45125, 1000, NS);
  // Bound, not connected: the port is taken in the namespace and no connection exists yet.
  const { stdout } = await run(['ss', '-H', '-tan', 'sport', '= :45125'], { netns: NS });
  assert.equal(stdout.trim(), '');
  assert.deepEqual(await p.fire(), { result: 'refused', detail: 'ECONNREFUSED [Errno 111] Connection refused' });
  const q = await armConnectProbe('udp', '127.0.0.1', 8083, 45126, 1000, NS);
  q.cancel();
});
