// Kernel test: a pod sandbox in a throwaway node namespace (pna-sb-*), wired with the CNI plugins found
// on the machine, its shim running a container: the container sees the pod's hostname, /etc/hosts and
// eth0 address, its output lands in the CRI log, the node reaches the pod IP, and teardown leaves no
// netns, IP reservation, cache entry or process behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import { requireRoot, run } from '../../../linux/exec.js';
import { addNetns, deleteNetns, listNetns, netnsExists } from '../../../linux/netns.js';
import { isAlive } from '../../../linux/process.js';
import { NodePaths } from './paths.js';
import { writeConflist } from './cni-config.js';
import { CniRuntime, listCachedResults, loadDefaultNetwork, pluginInvoker } from '../../cni/index.js';
import { createSandbox, destroySandbox, shimAlive } from './sandbox.js';
import { managedHostsFile } from './hosts-file.js';
import { builtinArgv } from './node-command.js';
import type { ExitEvent } from './shim-protocol.js';

const NODE = 'pna-sb-n1';
const CLUSTER = 'pna-sb';
let stateDir: string;
let paths: NodePaths;

before(async () => {
  requireRoot('the sandbox kernel test');
  stateDir = mkdtempSync(join(tmpdir(), 'pna-sb-'));
  paths = new NodePaths(stateDir, NODE);
  if (netnsExists(NODE)) await deleteNetns(NODE);
  await addNetns(NODE);
  await run(['ip', '-n', NODE, 'link', 'set', 'lo', 'up']);
  writeConflist(paths.conflist, { podCIDR: '10.250.7.0/24', overlay: 'host-gw', ipamDataDir: paths.ipamDataDir, cniVersion: '1.0.0' });
});

after(async () => {
  for (const ns of await listNetns()) if (ns.startsWith(`${CLUSTER}-`)) await deleteNetns(ns).catch(() => undefined);
  await deleteNetns(NODE).catch(() => undefined);
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

function env() {
  return {
    clusterName: CLUSTER, nodeName: NODE, paths,
    cni: new CniRuntime({ cacheDir: paths.cniCacheDir, invoke: pluginInvoker({ netns: NODE }), cniPath: ['/usr/lib/cni'] }),
    network: () => loadDefaultNetwork(paths.netDir),
    log: () => undefined,
  };
}

test('a sandbox runs a container in its own netns, hostname and /etc/hosts, and is torn down completely', async () => {
  const pod: V1Pod = {
    metadata: { name: 'web', namespace: 'default', uid: randomUUID() },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  };
  const e = env();
  const { record, shim } = await createSandbox(e, pod, {
    hostname: 'web', resolvConf: 'nameserver 10.96.0.10\n', hosts: (ips) => managedHostsFile(pod, ips, 'cluster.local'),
  });
  try {
    assert.equal(record.podIPs.length, 1);
    assert.match(record.podIPs[0], /^10\.250\.7\.\d+$/);
    assert.ok(record.netns && netnsExists(record.netns));
    assert.ok(shimAlive(record));

    const exited = new Promise<ExitEvent>((resolve) => void shim.watch(resolve));
    const logPath = join(stateDir, 'c.log');
    await shim.start({
      id: 'a'.repeat(64), name: 'c', restartCount: 0, init: false, cwd: '/', logPath, stdin: false, stdinOnce: false, tty: false,
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      argv: ['sh', '-c', 'echo hello; hostname; cat /etc/resolv.conf; grep web /etc/hosts; ip -4 -o addr show eth0; echo oops >&2; exit 3'],
    });
    const ev = await exited;
    assert.equal(ev.exit.exitCode, 3);
    const log = readFileSync(logPath, 'utf8');
    assert.match(log, /^\S+ stdout F hello$/m);
    assert.match(log, /^\S+ stdout F web$/m);
    assert.match(log, /stdout F nameserver 10\.96\.0\.10/);
    assert.match(log, new RegExp(`stdout F ${record.podIPs[0].replace(/\./g, '\\.')}\\tweb`));
    assert.match(log, new RegExp(`inet ${record.podIPs[0].replace(/\./g, '\\.')}/24`));
    assert.match(log, /^\S+ stderr F oops$/m);

    // Built-in workloads in the same sandbox: `start` answers once they listen, so the first request
    // (no retry) is answered, as with the real images.
    const builtin = (id: string, name: string, workload: 'agnhost' | 'nginx', args: string[]) => shim.start({
      id: id.repeat(64), name, restartCount: 0, init: false, cwd: '/', logPath: join(stateDir, `${name}.log`), stdin: false, stdinOnce: false, tty: false,
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, argv: builtinArgv(workload, args), signalsListening: true,
    });
    const curl = (netns: string, url: string) => run(['ip', 'netns', 'exec', netns, 'curl', '-sS', '--max-time', '5', url]).then((r) => r.stdout);
    await builtin('b', 'web', 'agnhost', ['netexec', '--http-port=8080']);
    assert.equal(await curl(NODE, `http://${record.podIPs[0]}:8080/hostname`), 'web', 'agnhost netexec answers the node over cni0');
    await builtin('d', 'nginx', 'nginx', []);
    assert.match(await curl(record.netns!, 'http://127.0.0.1:80/'), /Welcome to nginx!/, 'nginx answers another container of the pod on 127.0.0.1:80');
    await builtin('e', 'sh', 'agnhost', ['serve-hostname']);
    assert.equal(await curl(NODE, `http://${record.podIPs[0]}:9376/`), 'web', 'serve-hostname answers on 9376');
    // /dial opens a new connection per try (upstream agnhost): five tries, five client ports.
    const dial = JSON.parse(await curl(record.netns!, 'http://127.0.0.1:8080/dial?request=clientip&host=127.0.0.1&port=8080&protocol=http&tries=5')) as { responses: string[] };
    assert.equal(dial.responses.length, 5);
    assert.equal(new Set(dial.responses).size, 5, `each try is its own connection: ${dial.responses.join(' ')}`);
  } finally {
    await destroySandbox(e, record, shim);
  }
  assert.ok(!netnsExists(record.netns!));
  assert.ok(!isAlive(record.shim!.pid));
  assert.ok(!existsSync(paths.record(record.uid)));
  assert.ok(!existsSync(join(stateDir, 'netns', record.netns!)));
  assert.deepEqual(listCachedResults(e.cni.cacheDir, 'podnet'), []);
  const reserved = readdirSync(join(paths.ipamDataDir, 'podnet')).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));
  assert.deepEqual(reserved, []);
});
