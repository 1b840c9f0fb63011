// "kill -9 the server, start it again: no object lost." A child process writes to a SqliteStore and
// acknowledges each write on stdout only after the store call returned; the test SIGKILLs it in the
// middle of its writes, reopens the database and checks that every acknowledged write is there. With
// WAL and synchronous=NORMAL a commit has reached the kernel (write(2)) before it returns, so the death
// of the process loses nothing acknowledged; this test is what holds the store to that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SqliteStore } from './sqlite.js';

const WRITER = `
import { SqliteStore } from ${JSON.stringify(new URL('./sqlite.ts', import.meta.url).href)};
const store = new SqliteStore(process.env.STORE_PATH);
const ns = process.env.NAMESPACE;
const object = (name, labels) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data: { payload: 'x'.repeat(300) } });
for (let i = 0; i < 200000; i++) {
  const created = await store.create('/registry/configmaps/' + ns + '/cm' + i, object('cm' + i, { i: String(i) }));
  process.stdout.write('create ' + i + ' ' + created.metadata.resourceVersion + '\\n');
  if (i % 10 === 9) {
    const k = i - 5;
    const updated = await store.update('/registry/configmaps/' + ns + '/cm' + k, object('cm' + k, { i: String(k), updated: 'yes' }));
    process.stdout.write('update ' + k + ' ' + updated.metadata.resourceVersion + '\\n');
  }
}
`;

/** Acknowledged writes at which the writer is killed, in successive rounds (namespaces) on one database. */
const KILL_AFTER = [1500, 4000];

test('every acknowledged write survives kill -9 of the writing process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-store-durability-'));
  const path = join(dir, 'store.db');
  const acked = new Map<string, { revision: number; updated: boolean }>();
  let lastRevision = 0;
  try {
    for (const [round, killAfter] of KILL_AFTER.entries()) {
      const namespace = `round${round}`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', WRITER], {
        env: { ...process.env, STORE_PATH: path, NAMESPACE: namespace }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => { stderr += d; });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      let seen = 0;
      try {
        // Lines still in the pipe after the kill were written, and so committed, before it: they count.
        for await (const line of createInterface({ input: child.stdout })) {
          const [verb, i, rv] = line.split(' ');
          const revision = Number(rv);
          assert.ok(revision > lastRevision, `revisions must increase across restarts: ${line} after ${lastRevision}`);
          lastRevision = revision;
          acked.set(`/registry/configmaps/${namespace}/cm${i}`, { revision, updated: verb === 'update' });
          if (++seen === killAfter) child.kill('SIGKILL');
        }
      } finally {
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      const { signal } = await exited;
      assert.equal(signal, 'SIGKILL', `the writer ended on its own before being killed: ${stderr}`);
      assert.ok(seen >= killAfter, `the writer acknowledged only ${seen} writes: ${stderr}`);

      // Reopen as the restarted server would (the next round's writer does so too), and look for
      // every write acknowledged so far, in this round and the ones before.
      const store = new SqliteStore(path);
      try {
        assert.ok(await store.currentRevision() >= lastRevision, 'the revision went backwards after the kill');
        const { items } = await store.list('/registry/configmaps/');
        const byKey = new Map(items.map((o) => [`/registry/configmaps/${o.metadata.namespace}/${o.metadata.name}`, o]));
        for (const [key, want] of acked) {
          const got = byKey.get(key);
          assert.ok(got, `acknowledged object ${key} (revision ${want.revision}) is lost`);
          assert.ok(Number(got.metadata.resourceVersion) >= want.revision, `${key} went back to an older revision`);
          if (want.updated) assert.equal(got.metadata.labels?.updated, 'yes', `acknowledged update of ${key} is lost`);
        }
      } finally {
        await store.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
