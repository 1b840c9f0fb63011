// kubectl logs, exec and port-forward through podnet's API server to an agent streaming server, with
// the real kubectl on both protocols (WebSocket v5 for exec, SPDY/3.1 for port-forward). The runtime
// behind the agent is a local test double; the pod-network tests run the same commands against real pods.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { spawn } from 'node:child_process';
import { startTestServer, type TestServer } from '../support/server.js';
import { LocalRuntime } from '../support/local-runtime.js';
import { StreamingServer } from '../../src/components/agent/streaming/index.js';

let s: TestServer;
let agent: StreamingServer;
let web: Server;

before(async () => {
  s = await startTestServer('streaming');
  web = createServer((req, res) => res.end(`hello from the pod, path ${req.url}\n`));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
  const webPort = (web.address() as { port: number }).port;
  agent = new StreamingServer({
    host: '127.0.0.1', port: 0, token: s.token,
    runtime: new LocalRuntime('line one\nline two\nline three\n', new Map([[8080, webPort]])),
  });
  await agent.start();
  const node = {
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'stream-node' },
    status: {
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: agent.port } },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'test' }],
    },
  };
  await kubectlOk(['create', '-f', '-'], JSON.stringify(node));
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' },
    spec: { nodeName: 'stream-node', containers: [{ name: 'app', image: 'nginx' }] } };
  await kubectlOk(['create', '-f', '-'], JSON.stringify(pod));
  await kubectlOk(['patch', 'pod', 'web', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running"}}']);
});

after(async () => {
  await agent?.stop();
  web?.close();
  await s?.cleanup();
});

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const r = await s.kubectl(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}\n${s.logs().slice(-1500)}`);
  return r.stdout;
}

test('kubectl exec runs a command and returns its output', async () => {
  assert.equal(await kubectlOk(['exec', 'web', '--', 'echo', 'hello', 'world']), 'hello world\n');
});

test('kubectl exec passes the exit code through', async () => {
  const r = await s.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'out\n');
  assert.match(r.stderr, /err/);
  assert.match(r.stderr, /command terminated with exit code 3/);
});

test('kubectl exec -i forwards stdin until EOF', async () => {
  assert.equal(await kubectlOk(['exec', '-i', 'web', '--', 'cat'], 'from stdin\n'), 'from stdin\n');
});

test('kubectl logs and --tail', async () => {
  assert.equal(await kubectlOk(['logs', 'web']), 'line one\nline two\nline three\n');
  assert.equal(await kubectlOk(['logs', 'web', '--tail=1']), 'line three\n');
});

for (const [transport, websockets] of [['WebSocket-tunnelled SPDY', 'true'], ['raw SPDY/3.1', 'false']]) {
  test(`kubectl port-forward pod/web reaches the pod port (${transport})`, async () => {
    const pf = spawn('kubectl', [`--kubeconfig=${s.kubeconfig}`, 'port-forward', 'pod/web', ':8080'], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECTL_PORT_FORWARD_WEBSOCKETS: websockets },
    });
    let out = '', err = '';
    pf.stdout.on('data', (d) => (out += d));
    pf.stderr.on('data', (d) => (err += d));
    try {
      const deadline = Date.now() + 15_000;
      let local: number | undefined;
      while (!local) {
        const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out);
        if (m) local = Number(m[1]);
        else if (Date.now() > deadline) throw new Error(`port-forward did not start: ${out}\n${err}`);
        else await new Promise((r) => setTimeout(r, 50));
      }
      for (const path of ['/a', '/b']) {
        const res = await fetch(`http://127.0.0.1:${local}${path}`);
        assert.equal(await res.text(), `hello from the pod, path ${path}\n`);
      }
      assert.match(out, /Handling connection for \d+/);
    } finally {
      pf.kill();
    }
  });
}
