// How long a built-in image takes from exec to answering on its port, beside the real program where the
// machine has it (Debian's nginx): the time `kubectl wait --for=condition=Ready` now includes, since a
// built-in workload is reported started once it listens. Each run spawns the program on loopback and
// connects every millisecond until a connection is accepted. Run from dist/ after `make build`:
//   node bench/workload-start.ts [--runs 10]      (with tsx: node --import tsx bench/workload-start.ts)
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const runs = Number(values.runs);
const root = new URL('..', import.meta.url).pathname;
const main = join(root, 'dist', 'workloads', 'main.js');

const tryConnect = (port: number) => new Promise<boolean>((resolve) => {
  const s = connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
  s.on('error', () => resolve(false));
});

async function timeToListen(start: () => ChildProcess, port: number): Promise<number> {
  const t0 = performance.now();
  const child = start();
  try {
    for (;;) {
      if (await tryConnect(port)) return performance.now() - t0;
      if (child.exitCode !== null) throw new Error(`${child.spawnfile} exited ${child.exitCode} before it listened`);
      await new Promise((r) => setTimeout(r, 1));
    }
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
  }
}

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function series(name: string, start: (port: number) => ChildProcess, port: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await timeToListen(() => start(port), port));
  const m = p50(xs);
  console.log(`${name.padEnd(34)} p50 ${m.toFixed(0).padStart(5)} ms   min ${Math.min(...xs).toFixed(0)} ms   max ${Math.max(...xs).toFixed(0)} ms`);
  return m;
}

const work = mkdtempSync(join(tmpdir(), 'pn-wlstart-'));
try {
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${runs} runs each`);
  const builtinNginx = await series('built-in nginx', (port) => spawn(process.execPath, [main, 'nginx'], { env: { ...process.env, NGINX_PORT: String(port) }, stdio: 'ignore' }), 18480);
  const conf = join(work, 'nginx.conf');
  writeFileSync(conf, `daemon off; master_process off; pid ${work}/nginx.pid; error_log stderr;\nevents {}\nhttp { access_log off; client_body_temp_path ${work}; proxy_temp_path ${work}; fastcgi_temp_path ${work}; uwsgi_temp_path ${work}; scgi_temp_path ${work}; server { listen 127.0.0.1:18481; location / { return 200 ok; } } }\n`);
  const realNginx = await series('Debian nginx 1.22 (/usr/sbin/nginx)', () => spawn('/usr/sbin/nginx', ['-c', conf, '-p', work], { stdio: 'ignore' }), 18481);
  await series('built-in agnhost netexec', (port) => spawn(process.execPath, [main, 'agnhost', 'netexec', `--http-port=${port}`, '--udp-port=0'], { stdio: 'ignore' }), 18482);
  await series('node -e (an empty Node.js program)', (port) => spawn(process.execPath, ['-e', `require('net').createServer().listen(${port}, '127.0.0.1')`], { stdio: 'ignore' }), 18483);
  console.log(`built-in nginx / Debian nginx: ${(builtinNginx / realNginx).toFixed(1)}x`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
