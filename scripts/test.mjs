#!/usr/bin/env node
// Runs podnet's test suites with node:test and tsx.
//   node scripts/test.mjs            all suites: unit + kernel tests in src/, then end-to-end tests in test/
//   node scripts/test.mjs --unit     only tests that need no root (src/core)
//   node scripts/test.mjs PATTERN..  only test files whose path contains one of the patterns
// End-to-end tests run one file at a time (each brings up a cluster); the rest run two at a time.
// The last line is the plain total "tests: N passed, N failed" over every phase.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const patterns = args.filter((a) => !a.startsWith('--'));

function findTests(dir) {
  const out = [];
  let entries = [];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out.sort();
}

const wanted = (f) => patterns.length === 0 || patterns.some((p) => f.includes(p));
let phases = [
  { name: 'unit and kernel', files: findTests(join(root, 'src')).filter(wanted), concurrency: 2 },
  { name: 'end-to-end', files: findTests(join(root, 'test')).filter(wanted), concurrency: 1 },
];
if (unitOnly) phases = [{ name: 'unit', files: findTests(join(root, 'src', 'core')).filter(wanted), concurrency: 2 }];

let passed = 0, failed = 0, exitCode = 0;
for (const phase of phases) {
  if (phase.files.length === 0) continue;
  console.log(`\n=== ${phase.name} tests (${phase.files.length} files)`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [
      '--test', '--import', 'tsx', `--test-concurrency=${phase.concurrency}`,
      // A file whose handles outlive its tests must not hang the suite; no single test may run 10 minutes.
      '--test-force-exit', '--test-timeout=600000',
      '--test-reporter=spec', ...phase.files,
    ], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let partial = ''; // a line may be split across chunks
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop();
      for (const line of lines) {
        const m = /^ℹ (pass|fail) (\d+)$/.exec(line.trim());
        if (m) m[1] === 'pass' ? (passed += Number(m[2])) : (failed += Number(m[2]));
      }
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) exitCode = code;
}
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : exitCode);
