import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeShells, heredoc, shQuote, shellRun } from './cni-shell.js';
import { batchOutcome, parseBatchFailures } from './ipbatch.js';

after(() => closeShells());

test('a snippet\'s stdout, stderr and status come back separately', async () => {
  const r = await shellRun(`echo out; echo err >&2; printf 'no newline'; exit_code() { return 3; }; exit_code`);
  assert.deepEqual(r, { status: 3, stdout: 'out\nno newline', stderr: 'err\n' });
});

test('quoting and here-documents pass text through untouched; snippets do not read the shell\'s stdin', async () => {
  const text = `it's "quoted" $HOME \`x\`\nline2`;
  assert.equal((await shellRun(`printf '%s' ${shQuote(text)}`)).stdout, text);
  const h = heredoc(text);
  assert.equal((await shellRun(`cat ${h.redirect}${h.body}`)).stdout, `${text}\n`);
  assert.equal((await shellRun('cat')).stdout, '');
});

test('parallel calls use several shells and all complete', async () => {
  const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => shellRun(`echo ${i}`)));
  assert.deepEqual(rs.map((r) => r.stdout.trim()), Array.from({ length: 12 }, (_, i) => String(i)));
});

test('a snippet that hangs is killed at its timeout and the pool keeps working', async () => {
  await assert.rejects(shellRun('sleep 5', 200), /timed out after 200 ms/);
  assert.equal((await shellRun('echo alive')).stdout, 'alive\n');
});

test('ip -batch failures are attributed to their lines; tolerated "File exists" is not an error', () => {
  const stderr = 'RTNETLINK answers: File exists\nCommand failed -:2\nCannot find device "eth9"\nCommand failed -:3\n';
  assert.deepEqual([...parseBatchFailures(stderr)], [[2, 'RTNETLINK answers: File exists'], [3, 'Cannot find device "eth9"']]);
  const out = batchOutcome([{ cmd: 'a' }, { cmd: 'route add x', tolerateExists: true }, { cmd: 'route add y dev eth9' }], '[{"x":1}]\n', stderr, 1);
  assert.deepEqual(out.errors, ['route add y dev eth9: Cannot find device "eth9"']);
  assert.deepEqual(out.shows, [[{ x: 1 }]]);
});
