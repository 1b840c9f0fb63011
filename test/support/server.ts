// Test support: a podnet API server on a random loopback port with its own state directory, PKI and
// kubeconfig, run as a child process so tests can restart it or kill -9 it. No namespaces are involved.
// PODNET_TEST_SERVER_NODE_ARGS adds node flags to the server process (e.g. `--cpu-prof` when profiling).
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { ClusterConfig } from '../../src/core/cluster/config.js';
import { DEFAULTS } from '../../src/core/cluster/config.js';

const root = new URL('../..', import.meta.url).pathname;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

export interface TestServer {
  config: ClusterConfig;
  kubeconfig: string;
  url: string;
  token: string;
  caCert: string;
  /** Runs the real kubectl against this server; resolves with stdout, stderr and the exit code. */
  kubectl(args: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }>;
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  cleanup(): Promise<void>;
  logs(): string;
  /** The server process's pid, while it runs. */
  pid(): number | undefined;
}

export async function startTestServer(name = 'apitest'): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), `podnet-${name}-`));
  const port = await freePort();
  const pki = (f: string) => join(dir, f);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', pki('ca.key')]);
  openssl(['req', '-x509', '-new', '-key', pki('ca.key'), '-subj', '/CN=podnet-test-ca', '-days', '2', '-out', pki('ca.crt')]);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', pki('server.key')]);
  openssl(['req', '-new', '-key', pki('server.key'), '-subj', '/CN=kube-apiserver', '-out', pki('server.csr')]);
  writeFileSync(pki('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(['x509', '-req', '-in', pki('server.csr'), '-CA', pki('ca.crt'), '-CAkey', pki('ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', pki('san.ext'), '-out', pki('server.crt')]);
  const token = randomBytes(16).toString('hex');
  writeFileSync(pki('token'), token + '\n');
  const config: ClusterConfig = {
    name, stateDir: dir, underlayCIDR: '198.51.100.0/24', hostIP: '198.51.100.1', bridge: 'none', apiServerPort: port,
    clusterCIDR: DEFAULTS.clusterCIDR, nodeCIDRMaskSize: DEFAULTS.nodeCIDRMaskSize, serviceCIDR: DEFAULTS.serviceCIDR,
    nodePortRange: DEFAULTS.nodePortRange, clusterDomain: DEFAULTS.clusterDomain, dnsServiceIP: DEFAULTS.dnsServiceIP,
    overlay: 'vxlan', nodes: [],
    paths: {
      caCert: pki('ca.crt'), caKey: pki('ca.key'), serverCert: pki('server.crt'), serverKey: pki('server.key'),
      token: pki('token'), kubeconfig: pki('kubeconfig'), store: pki('store.db'), logs: dir,
    },
  };
  writeFileSync(join(dir, 'cluster.json'), JSON.stringify(config, null, 2));
  const url = `https://127.0.0.1:${port}`;
  const caData = readFileSync(pki('ca.crt')).toString('base64');
  writeFileSync(config.paths.kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'clusters:', `- name: ${name}`, '  cluster:', `    server: ${url}`,
    `    certificate-authority-data: ${caData}`, 'users:', `- name: ${name}`, '  user:', `    token: ${token}`,
    'contexts:', `- name: ${name}`, '  context:', `    cluster: ${name}`, `    user: ${name}`, `current-context: ${name}`, '',
  ].join('\n'));
  const cacheDir = join(dir, 'kubectl-cache');
  const logFile = join(dir, 'server.log');
  let child: ChildProcess | undefined;

  const server: TestServer = {
    config, kubeconfig: config.paths.kubeconfig, url, token, caCert: config.paths.caCert,
    async start() {
      const { openSync } = await import('node:fs');
      const fd = openSync(logFile, 'a');
      child = spawn(process.execPath, [...(process.env.PODNET_TEST_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', join(root, 'test/support/run-server.ts'), join(dir, 'cluster.json')], {
        cwd: root, stdio: ['ignore', fd, fd],
      });
      const deadline = Date.now() + 20_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`test server exited with ${child.exitCode}:\n${server.logs()}`);
        try {
          const r = await fetchReady(url, config.paths.caCert);
          if (r) return;
        } catch { /* not listening yet */ }
        if (Date.now() > deadline) throw new Error(`test server did not become ready:\n${server.logs()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(signal = 'SIGTERM') {
      if (!child || child.exitCode !== null) return;
      const c = child;
      await new Promise<void>((resolve) => { c.once('exit', () => resolve()); c.kill(signal); });
    },
    async cleanup() {
      await server.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
    pid() {
      return child && child.exitCode === null ? child.pid : undefined;
    },
    logs() {
      try { return readFileSync(logFile, 'utf8'); } catch { return ''; }
    },
    kubectl(args, input) {
      return new Promise((resolve) => {
        const p = spawn('kubectl', [`--kubeconfig=${config.paths.kubeconfig}`, `--cache-dir=${cacheDir}`, ...args], {
          stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: config.paths.kubeconfig },
        });
        let stdout = '', stderr = '';
        p.stdout.on('data', (d) => (stdout += d));
        p.stderr.on('data', (d) => (stderr += d));
        p.on('close', (code) => resolve({ stdout, stderr, code: code ?? -1 }));
        p.stdin.end(input ?? '');
      });
    },
  };
  await server.start();
  return server;
}

async function fetchReady(url: string, ca: string): Promise<boolean> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(`${url}/readyz`, { ca: readFileSync(ca), timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', reject);
    req.end();
  });
}
