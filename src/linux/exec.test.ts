// The real executor (pooled shells): argv goes through untouched, outputs and status come back
// separately, stdin reaches the command exactly, and runSteps enters a namespace once. The namespace
// part is a kernel test in a throwaway pnt-exec* namespace.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandError, argvIn, closeExecutor, requireRoot, run, runSteps } from './exec.js';

after(() => closeExecutor());

const tricky = [`it's "quoted" $HOME \`x\` ; | & * ?`, '', '-n', 'two\nlines', '\\'];

test('argv words reach the command untouched, whatever the shell would make of them', async () => {
  const r = await run(['printf', '%s|', ...tricky]);
  assert.equal(r.stdout, tricky.map((w) => `${w}|`).join(''));
});

test('stdout, stderr and a non-zero status come back separately; okExitCodes turns it into success', async () => {
  await assert.rejects(run(['sh', '-c', 'echo out; echo err >&2; exit 3']), (e: unknown) => {
    assert.ok(e instanceof CommandError);
    assert.deepEqual([e.exitCode, e.stdout, e.stderr], [3, 'out\n', 'err\n']);
    return true;
  });
  assert.deepEqual(await run(['sh', '-c', 'printf x; exit 3'], { okExitCodes: [3] }), { stdout: 'x', stderr: '', exitCode: 3 });
  assert.equal((await run(['false'], { okExitCodes: 'any' })).exitCode, 1);
});

test('stdin: exact text, with or without a trailing newline, and nothing when none is given', async () => {
  const text = `${tricky.join('\n')}\nPNX_tag\n`;
  assert.equal((await run(['cat'], { input: text })).stdout, text);
  assert.equal((await run(['cat'], { input: 'no newline' })).stdout, 'no newline');
  assert.equal((await run(['cat'])).stdout, '');
  const big = 'x'.repeat(100).concat('\n').repeat(5000); // beyond the here-document limit: a fresh spawn
  assert.equal((await run(['wc', '-c'], { input: big })).stdout.trim(), String(big.length));
});

test('setEnv adds variables for one command; a missing tool is ENOENT with exit code null as from spawn', async () => {
  assert.equal((await run(['sh', '-c', 'echo "$A-$B"'], { setEnv: { A: "a'1", B: 'b 2' } })).stdout, "a'1-b 2\n");
  await assert.rejects(run(['podnet-no-such-tool']), (e: unknown) => e instanceof CommandError && e.exitCode === null && /ENOENT/.test(e.message));
  assert.throws(() => argvIn(['ip'], '../x'), /invalid network namespace/);
});

test('parallel calls all complete; a command that hangs is killed at its timeout and the pool keeps working', async () => {
  const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => run(['echo', String(i)])));
  assert.deepEqual(rs.map((r) => r.stdout.trim()), Array.from({ length: 20 }, (_, i) => String(i)));
  await assert.rejects(run(['sleep', '5'], { timeoutMs: 200 }), /timed out after 200 ms/);
  assert.equal((await run(['echo', 'alive'])).stdout, 'alive\n');
});

test('large output comes back whole', async () => {
  const r = await run(['head', '-c', String(8 << 20), '/dev/zero']);
  assert.equal(r.stdout.length, 8 << 20);
});

test('argvIn: ip -n for ip and bridge, ip netns exec for other tools by name, nsenter by path', () => {
  assert.deepEqual(argvIn(['ip', 'link'], 'n1'), ['ip', '-n', 'n1', 'link']);
  assert.deepEqual(argvIn(['nft', 'list', 'ruleset'], 'n1'), ['ip', 'netns', 'exec', 'n1', 'nft', 'list', 'ruleset']);
  assert.deepEqual(argvIn(['nft', 'list', 'ruleset'], '/proc/1/ns/net'), ['nsenter', '--net=/proc/1/ns/net', 'nft', 'list', 'ruleset']);
  assert.deepEqual(argvIn(['ip', 'link'], '/proc/1/ns/net'), ['nsenter', '--net=/proc/1/ns/net', 'ip', 'link']);
});

test('runSteps: sysctls and commands in one entry into a namespace, each with its own result (kernel)', async () => {
  requireRoot('the executor namespace test');
  const ns = `pnt-exec-${process.pid}`;
  await run(['ip', 'netns', 'add', ns]);
  try {
    const rs = await runSteps([
      { sysctls: [['net/ipv4/ip_forward', '1'], ['net/ipv4/conf/nosuchdev/forwarding', '1']] },
      { argv: ['cat', '/proc/sys/net/ipv4/ip_forward'] },
      { argv: ['sh', '-c', 'echo e >&2; exit 4'] },
      { argv: ['ip', '-j', 'link', 'show', 'dev', 'lo'] },
    ], { netns: `/run/netns/${ns}` });
    assert.equal(rs[0].exitCode, 1);
    assert.match(rs[0].stderr, /cannot write \/proc\/sys\/net\/ipv4\/conf\/nosuchdev\/forwarding/);
    assert.deepEqual([rs[1].exitCode, rs[1].stdout.trim()], [0, '1']);
    assert.deepEqual([rs[2].exitCode, rs[2].stderr.trim()], [4, 'e']);
    assert.equal(rs[3].exitCode, 0);
    assert.equal(JSON.parse(rs[3].stdout)[0].ifname, 'lo');
    const gone = await runSteps([{ argv: ['true'] }], { netns: `/run/netns/${ns}-missing` });
    assert.notEqual(gone[0].exitCode, 0);
    assert.match(gone[0].stderr, /No such file|cannot open|nsenter/);
    const none = await runSteps([{ sysctls: [['net/ipv4/ip_forward', '1']] }, { argv: ['true'] }], { netns: `/run/netns/${ns}-missing` });
    assert.deepEqual(none.map((r) => r.exitCode), [-1, -1]);
    assert.match(none[1].stderr, /No such file|cannot open|nsenter/);
  } finally {
    await run(['ip', 'netns', 'delete', ns]);
  }
});
