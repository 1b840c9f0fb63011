// Kernel test: detached processes inside a pnt6* namespace, found again by identity, and stopped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRoot, run } from './exec.js';
import { addNetns } from './netns.js';
import { isAlive, isOurProcess, pidsInNetns, readCmdline, spawnDetached, stopProcess, type ProcessIdentity } from './process.js';

const ns = `pnt6-pr-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'pnt6-proc-'));
const started: ProcessIdentity[] = [];

before(async () => {
  requireRoot('the process kernel tests');
  await addNetns(ns);
});
after(async () => {
  for (const p of started) if (isOurProcess(p)) process.kill(p.pid, 'SIGKILL');
  await run(['ip', 'netns', 'delete', ns]).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) { if (cond()) return; await sleep(25); }
  assert.fail(`timed out waiting for ${what}`);
}

test('a detached process runs in the namespace, logs to a file, and stops on SIGTERM', async () => {
  const log = join(dir, 'logs', 'a.log');
  // Prints the namespace's interfaces (only lo exists in a fresh namespace), then waits.
  const id = await spawnDetached(['sh', '-c', 'cat /proc/net/dev | grep -o "^ *[a-z0-9]*:" ; echo started; exec sleep 60'], { netns: ns, logFile: log });
  started.push(id);
  assert.ok(isAlive(id.pid));
  await waitFor(() => readFileSync(log, 'utf8').includes('started'), 'the log line');
  const out = readFileSync(log, 'utf8');
  assert.match(out, /lo:/);
  assert.doesNotMatch(out, /eth0:/);
  await waitFor(() => readCmdline(id.pid)?.[0] === 'sleep', 'the exec');
  assert.equal(isOurProcess(id), false, 'argv changed by exec: no longer the recorded command');
  assert.equal(await stopProcess(id), 'not-ours');
  process.kill(id.pid, 'SIGKILL');
  await waitFor(() => !isAlive(id.pid), 'the kill');
});

test('isOurProcess compares argv and start time; stopProcess escalates to SIGKILL', async () => {
  const log = join(dir, 'b.log');
  // Ignores SIGTERM so that the grace period runs out.
  const id = await spawnDetached([process.execPath, '-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready')"], { netns: ns, logFile: log });
  started.push(id);
  await waitFor(() => readFileSync(log, 'utf8').includes('ready'), 'the SIGTERM handler');
  assert.equal(isOurProcess(id), true);
  assert.equal(isOurProcess({ ...id, startTime: id.startTime + 1 }), false);
  assert.equal(isOurProcess({ ...id, argv: ['sh', '-c', 'other'] }), false);
  assert.equal(await stopProcess(id, { graceMs: 300 }), 'killed');
  assert.equal(isAlive(id.pid), false);
  assert.equal(await stopProcess(id), 'not-running');
});

test('a process in the root namespace stops with SIGTERM within the grace period', async () => {
  const id = await spawnDetached(['sleep', '30'], { logFile: join(dir, 'c.log') });
  started.push(id);
  assert.equal(isOurProcess(id), true);
  assert.deepEqual(readCmdline(id.pid), ['sleep', '30']);
  assert.equal(await stopProcess(id), 'terminated');
});

test('a command that does not exist is reported', async () => {
  await assert.rejects(spawnDetached(['/nonexistent/pnt6-cmd'], { logFile: join(dir, 'd.log') }), /cannot start \/nonexistent\/pnt6-cmd/);
});

test('pidsInNetns finds the processes inside a namespace and no others', async () => {
  assert.deepEqual(pidsInNetns(ns), []);
  const id = await spawnDetached(['sleep', '30'], { netns: ns, logFile: join(dir, 'e.log') });
  started.push(id);
  await waitFor(() => pidsInNetns(ns).includes(id.pid), 'the process in the namespace');
  assert.deepEqual(pidsInNetns(ns), [id.pid]);
  assert.deepEqual(pidsInNetns('pnt6-no-such-ns'), []);
  assert.equal(await stopProcess(id), 'terminated');
  assert.deepEqual(pidsInNetns(ns), []);
});

test('a process is ours through every instant of `ip netns exec` exec-ing it (podnet up checks at once)', async () => {
  // Polled without a pause from spawn until it has logged: the window inside execve where cmdline reads
  // empty must not count as "exited" (CI saw `podnet up` fail with "the agent … exited" for it).
  for (let i = 0; i < 10; i++) {
    const log = join(dir, `d${i}.log`);
    const id = await spawnDetached([process.execPath, '-e', "console.log('up'); setInterval(() => {}, 1000)"], { netns: ns, logFile: log });
    started.push(id);
    const deadline = Date.now() + 10_000;
    while (readCmdline(id.pid)?.[0] !== process.execPath && Date.now() < deadline) {
      assert.equal(isOurProcess(id), true, `process ${id.pid} read as not ours while it starts: ${JSON.stringify(readCmdline(id.pid))}`);
    }
    await waitFor(() => readFileSync(log, 'utf8').includes('up'), 'its first line');
    assert.equal(await stopProcess(id), 'terminated');
  }
});
