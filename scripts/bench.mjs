#!/usr/bin/env node
// Runs podnet's benchmarks, one after the other, and ends with a summary.
//   node scripts/bench.mjs                 every bench/*.ts, full sizes (what BENCHMARKS.md records)
//   node scripts/bench.mjs --short         every benchmark in its quick mode (also BENCH_SHORT=1)
//   node scripts/bench.mjs dns proxy       only benchmarks whose file name contains one of the words
// (`npm run bench -- --short`, `make bench`, `make bench SHORT=1`.)
//
// Every top-level bench/*.ts is a benchmark: a new one is picked up by being there, and takes --short.
// A file that says `// bench: cluster` in its first lines brings up a cluster, and runs under the
// machine's shared cluster lock (flock /tmp/podnet-e2e.lock) so that only one cluster runs at a time;
// `// bench: root` (or cluster) is skipped with a note when not run as root. The load average is
// printed before and after each, since numbers taken on a loaded machine are not comparable.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const short = args.includes('--short') || process.env.BENCH_SHORT === '1';
const patterns = args.filter((a) => !a.startsWith('--'));
const LOCK = '/tmp/podnet-e2e.lock';

const benchDir = join(root, 'bench');
const files = readdirSync(benchDir).filter((f) => f.endsWith('.ts')).sort()
  .filter((f) => patterns.length === 0 || patterns.some((p) => f.includes(p)));
if (files.length === 0) {
  console.error(`no benchmark in bench/ matches ${patterns.join(', ')}`);
  process.exit(2);
}

const isRoot = process.getuid?.() === 0;
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

function needs(file) {
  const head = readFileSync(join(benchDir, file), 'utf8').split('\n').slice(0, 40).join('\n');
  const m = /^\/\/ bench: ([a-z ]+)$/m.exec(head);
  const words = new Set(m ? m[1].split(' ') : []);
  return { cluster: words.has('cluster'), root: words.has('root') || words.has('cluster') };
}

function run(argv, env) {
  return new Promise((resolve) => {
    const p = spawn(argv[0], argv.slice(1), { cwd: root, env, stdio: 'inherit' });
    p.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    p.on('error', () => resolve(127));
  });
}

const summary = [];
for (const f of files) {
  const rel = relative(root, join(benchDir, f));
  const need = needs(f);
  if (need.root && !isRoot) {
    console.log(`\n## ${rel}: skipped (needs root)`);
    summary.push({ rel, status: 'skipped (needs root)', secs: 0, load: '' });
    continue;
  }
  const argv = [process.execPath, '--import', 'tsx', rel, ...(short ? ['--short'] : [])];
  const full = need.cluster ? ['flock', LOCK, ...argv] : argv;
  const before = load();
  console.log(`\n## ${rel}${short ? ' --short' : ''}${need.cluster ? ` (cluster: waits for ${LOCK})` : ''}; load average ${before}`);
  const t0 = Date.now();
  const code = await run(full, { ...process.env, ...(short ? { BENCH_SHORT: '1' } : {}) });
  const secs = (Date.now() - t0) / 1000;
  const after = load();
  console.log(`## ${rel}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${secs.toFixed(0)} s; load average ${after}`);
  summary.push({ rel, status: code === 0 ? 'ok' : `failed (exit ${code})`, secs, load: `${before} → ${after}` });
}

console.log(`\n# Benchmarks${short ? ' (short mode)' : ''}`);
for (const s of summary) console.log(`${s.status.padEnd(22)} ${s.rel.padEnd(32)} ${s.secs ? `${s.secs.toFixed(0)} s`.padStart(6) : ''.padStart(6)}  ${s.load ? `load ${s.load}` : ''}`);
process.exitCode = summary.some((s) => s.status.startsWith('failed')) ? 1 : 0;
