// `podnet up` benchmark: time from `podnet up --nodes 3` to every Node Ready (the command returns only
// then), and `podnet down`, over several runs; prints each run and the medians. No peer runs side by
// side: kind and k3d need Docker, which this machine kind does not have.
// Run (as root, after `npm run build`):
//   node --import tsx bench/up.ts [--runs 3] [--nodes 3] [--name pnt6bench] [--underlay-cidr 172.31.245.0/24] [--source]
// --source runs src/cli/main.ts through tsx instead of the built dist/cli/main.js.
// bench: cluster
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sized } from './support/short.js';

const repo = new URL('..', import.meta.url).pathname;
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('runs', sized('3', '1')));
const NODES = arg('nodes', '3');
const NAME = arg('name', 'pnt6bench');
const UNDERLAY = arg('underlay-cidr', '172.31.245.0/24');
const fromSource = process.argv.includes('--source');

const main = fromSource ? join(repo, 'src/cli/main.ts') : join(repo, 'dist/cli/main.js');
if (!existsSync(main)) {
  console.error(`${main} is missing: run npm run build first (or pass --source)`);
  process.exit(1);
}
const work = mkdtempSync(join(tmpdir(), 'podnet-bench-up-'));
const env = { ...process.env, PODNET_STATE_ROOT: join(work, 'state'), KUBECONFIG: join(work, 'kubeconfig') };

function podnet(...args: string[]): Promise<{ ms: number; code: number; output: string }> {
  const argv = fromSource ? ['--import', 'tsx', main, ...args] : [main, ...args];
  const t0 = performance.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, argv, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d) => (output += d));
    p.stderr.on('data', (d) => (output += d));
    p.on('close', (code) => resolve({ ms: performance.now() - t0, code: code ?? -1, output }));
  });
}

const median = (xs: number[]) => { const a = [...xs].sort((x, y) => x - y); return a[Math.floor(a.length / 2)]; };
const ups: number[] = [];
const downs: number[] = [];
try {
  for (let i = 1; i <= RUNS; i++) {
    const up = await podnet('up', '--name', NAME, '--nodes', NODES, '--underlay-cidr', UNDERLAY);
    if (up.code !== 0) throw new Error(`podnet up failed:\n${up.output}`);
    const down = await podnet('down', '--name', NAME);
    if (down.code !== 0) throw new Error(`podnet down failed:\n${down.output}`);
    ups.push(up.ms);
    downs.push(down.ms);
    console.log(`run ${i}: up (${NODES} nodes Ready) ${up.ms.toFixed(0)} ms, down ${down.ms.toFixed(0)} ms`);
    if (i === 1) console.log(up.output.split('\n').filter((l) => /^(ok|FAIL) /.test(l)).map((l) => `  ${l}`).join('\n'));
  }
  console.log(`\npodnet up --nodes ${NODES}: p50 ${median(ups).toFixed(0)} ms   podnet down: p50 ${median(downs).toFixed(0)} ms   (${RUNS} runs, ${fromSource ? 'tsx source' : 'dist'})`);
} finally {
  await podnet('down', '--name', NAME);
  rmSync(work, { recursive: true, force: true });
}
