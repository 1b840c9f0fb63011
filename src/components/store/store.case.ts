// The conformance suite every Store implementation must pass (the SQLite store, the in-memory fake and,
// later, etcd). It pins down the semantics the API server builds on: one global revision, resourceVersion
// = the revision of the last write, compare-and-swap, list by prefix, and watches from a revision that
// miss nothing, repeat nothing and expire once history is compacted.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../core/api/object.js';
import { StoreError, type Store, type StoreEvent, type Watcher } from './store.js';

/**
 * The history a store under test may keep: open() must give a store that compacts to no more than
 * this many revisions (promptly, though it may do so in the background) and keeps no history by time.
 */
export const CONFORMANCE_HISTORY = 100;

export interface OpenedStore {
  store: Store;
  /** Opens the same data again; the suite closes `store` first. Given by persistent stores. */
  reopen?: () => Promise<Store>;
  /** Closes whatever is still open and removes what open() made. */
  cleanup: () => Promise<void>;
  /** The revision a new, empty store reports: 0 unless said otherwise (a new etcd is at 1). */
  startRevision?: number;
}

const PODS = '/registry/pods/';
const DEFAULT = '/registry/pods/default/';

export function pod(name: string, namespace = 'default', labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
}

function key(name: string, namespace = 'default'): string {
  return `${PODS}${namespace}/${name}`;
}

/** Records a watcher's events and lets a test wait, with a bound, for a number of them. */
export class Recorder {
  readonly events: StoreEvent[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];
  readonly onEvent = (e: StoreEvent): void => {
    this.events.push(e);
    this.waiters = this.waiters.filter((w) => (this.events.length >= w.n ? (w.resolve(), false) : true));
  };

  until(n: number, timeoutMs = 5000): Promise<void> {
    if (this.events.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(
        `waited ${timeoutMs} ms for ${n} events, got ${this.events.length}: ${this.summary().join(' ')}`)), timeoutMs);
      this.waiters.push({ n, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  summary(): string[] {
    return this.events.map((e) => `${e.type}@${e.revision}:${e.key}`);
  }
}

/** Lets queued immediates (replays, background work) run, so "nothing more arrived" means something. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

async function rejectsWith(p: Promise<unknown>, code: StoreError['code']): Promise<StoreError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StoreError, `expected a StoreError '${code}', got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected StoreError '${code}', but the call succeeded`);
}

/**
 * The revision a fresh store starts at: 0 for SQLite and the in-memory store, 1 for a new etcd (whose
 * first write is revision 2). Revisions in the tests below are counted from it: at(n) is the revision of
 * the n-th write, rv(n) the same as a resourceVersion.
 */
let base = 0;
const at = (n: number) => base + n;
const rv = (n: number) => String(base + n);

export function runStoreConformance(name: string, open: () => Promise<OpenedStore>): void {
  // Each test gets a fresh store and always cleans it up, whatever happens in it.
  const withStore = (title: string, fn: (s: Store, opened: OpenedStore, t: TestContext) => Promise<void>) =>
    test(title, async (t) => {
      const opened = await open();
      try {
        base = await opened.store.currentRevision();
        assert.equal(base, opened.startRevision ?? 0, 'a new store starts at its documented revision');
        await fn(opened.store, opened, t);
      } finally { await opened.cleanup(); }
    });

  describe(`Store conformance: ${name}`, () => {
    withStore('a new store starts at its first revision and every write takes exactly the next one', async (s) => {
      assert.equal(await s.currentRevision(), at(0));
      const a = await s.create(key('a'), pod('a'));
      assert.equal(a.metadata.resourceVersion, rv(1));
      const b = await s.create(key('b'), pod('b'));
      assert.equal(b.metadata.resourceVersion, rv(2));
      const a2 = await s.update(key('a'), { ...a, spec: { x: 1 } });
      assert.equal(a2.metadata.resourceVersion, rv(3));
      const gone = await s.delete(key('b'));
      assert.equal(gone.metadata.resourceVersion, rv(4), 'a delete returns the last state at the deletion revision');
      assert.equal(await s.currentRevision(), at(4));
      // Failed writes take no revision.
      await rejectsWith(s.create(key('a'), pod('a')), 'exists');
      await rejectsWith(s.update(key('b'), pod('b')), 'notfound');
      await rejectsWith(s.update(key('a'), a2, 1), 'conflict');
      assert.equal(await s.currentRevision(), at(4));
    });

    withStore('concurrent writes get distinct, increasing revisions in call order', async (s) => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.create(key(`p${i}`), pod(`p${i}`))));
      assert.deepEqual(results.map((o) => Number(o.metadata.resourceVersion)), Array.from({ length: 20 }, (_, i) => at(i + 1)));
    });

    withStore('get and list carry the resourceVersion of the last write to each object', async (s) => {
      await s.create(key('a'), pod('a'));
      await s.create(key('b'), pod('b'));
      await s.update(key('a'), pod('a', 'default', { v: '2' }));
      const a = await s.get(key('a'));
      assert.equal(a?.metadata.resourceVersion, rv(3));
      assert.deepEqual(a?.metadata.labels, { v: '2' });
      assert.equal((await s.get(key('b')))?.metadata.resourceVersion, rv(2));
      assert.equal(await s.get(key('nope')), undefined);
      const list = await s.list(DEFAULT);
      assert.equal(list.revision, at(3), 'a list reports the current revision');
      assert.deepEqual(list.items.map((o) => [o.metadata.name, o.metadata.resourceVersion]), [['a', rv(3)], ['b', rv(2)]]);
    });

    withStore('a resourceVersion given by the caller is replaced by the store', async (s) => {
      const o = pod('a');
      o.metadata.resourceVersion = '999';
      o.involvedObject = { resourceVersion: '42' };
      const created = await s.create(key('a'), o);
      assert.equal(created.metadata.resourceVersion, rv(1));
      assert.deepEqual(created.involvedObject, { resourceVersion: '42' }, 'only metadata.resourceVersion is the store\'s');
      const updated = await s.update(key('a'), { ...created, metadata: { ...created.metadata, resourceVersion: '1000' } });
      assert.equal(updated.metadata.resourceVersion, rv(2));
      assert.equal((await s.get(key('a')))?.metadata.resourceVersion, rv(2));
    });

    withStore('objects going in and coming out are copies', async (s) => {
      const input = pod('a');
      const created = await s.create(key('a'), input);
      input.metadata.labels = { changed: 'input' };
      created.metadata.labels = { changed: 'output' };
      const got = await s.get(key('a'));
      assert.deepEqual(got?.metadata.labels, {});
      got!.metadata.labels = { changed: 'get' };
      const listed = await s.list(DEFAULT);
      assert.deepEqual(listed.items[0]?.metadata.labels, {});
    });

    withStore('any JSON survives the store unchanged, odd keys and all', async (s) => {
      const o = pod('a');
      o.metadata.labels = { ['__proto__']: 'x', '2': 'two', z: 'zed' };
      o.spec = { nested: [[1, 2.5, -3e-7], { empty: {} }, null, true, 'ünïcødé ✓'], big: Number.MAX_SAFE_INTEGER };
      const created = await s.create(key('a'), o);
      for (const got of [created, await s.get(key('a')), (await s.list(DEFAULT)).items[0]]) {
        assert.deepEqual(Object.getPrototypeOf(got!.metadata.labels), Object.prototype);
        assert.deepEqual(JSON.parse(JSON.stringify(got!.metadata.labels)), { '2': 'two', ['__proto__']: 'x', z: 'zed' });
        assert.deepEqual(got!.spec, o.spec);
      }
    });

    withStore('create of a taken key fails with exists and changes nothing', async (s) => {
      await s.create(key('a'), pod('a', 'default', { first: 'yes' }));
      const e = await rejectsWith(s.create(key('a'), pod('a', 'default', { second: 'yes' })), 'exists');
      assert.match(e.message, /already exists/);
      assert.deepEqual((await s.get(key('a')))?.metadata.labels, { first: 'yes' });
    });

    withStore('update and delete of a missing key fail with notfound', async (s) => {
      await rejectsWith(s.update(key('a'), pod('a')), 'notfound');
      await rejectsWith(s.delete(key('a')), 'notfound');
      await rejectsWith(s.update(key('a'), pod('a'), 5), 'notfound');
      await s.create(key('a'), pod('a'));
      await s.delete(key('a'));
      await rejectsWith(s.delete(key('a')), 'notfound');
      await rejectsWith(s.update(key('a'), pod('a')), 'notfound');
    });

    withStore('update and delete compare-and-swap on expectedRevision', async (s) => {
      const a = await s.create(key('a'), pod('a'));
      const rv = Number(a.metadata.resourceVersion);
      await s.create(key('other'), pod('other'));
      const e = await rejectsWith(s.update(key('a'), pod('a', 'default', { x: 'stale' }), rv + 1), 'conflict');
      assert.match(e.message, /revision/);
      assert.deepEqual((await s.get(key('a')))?.metadata.labels, {}, 'a conflicting update writes nothing');
      const a2 = await s.update(key('a'), pod('a', 'default', { x: 'ok' }), rv);
      await rejectsWith(s.update(key('a'), pod('a'), rv), 'conflict');
      await rejectsWith(s.delete(key('a'), rv), 'conflict');
      assert.ok(await s.get(key('a')), 'a conflicting delete removes nothing');
      const deleted = await s.delete(key('a'), Number(a2.metadata.resourceVersion));
      assert.deepEqual(deleted.metadata.labels, { x: 'ok' });
      assert.equal(await s.get(key('a')), undefined);
    });

    withStore('a deleted key can be created again, with a new revision', async (s) => {
      await s.create(key('a'), pod('a'));
      await s.delete(key('a'));
      const again = await s.create(key('a'), pod('a'));
      assert.equal(again.metadata.resourceVersion, rv(3));
    });

    withStore('list returns exactly the keys under a prefix, in key order', async (s) => {
      for (const [n, ns] of [['z', 'default'], ['x', 'default2'], ['a', 'default'], ['m', 'kube-system'], ['b', 'default']] as const) {
        await s.create(key(n, ns), pod(n, ns));
      }
      await s.create('/registry/services/specs/default/web', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' } });
      await s.create('/registry/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'odd' } });
      const names = async (prefix: string) => (await s.list(prefix)).items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
      assert.deepEqual(await names(DEFAULT), ['default/a', 'default/b', 'default/z'], 'default/ must not match default2/');
      assert.deepEqual(await names('/registry/pods/default2/'), ['default2/x']);
      assert.deepEqual(await names(PODS), ['default/a', 'default/b', 'default/z', 'default2/x', 'kube-system/m']);
      assert.deepEqual(await names('/registry/pods/nothing/'), []);
      assert.equal((await s.list('')).items.length, 7, 'the empty prefix lists everything');
      assert.equal((await s.list('/registry/pods/default/b')).items.length, 1, 'a full key is a prefix too');
      assert.equal((await s.list('/registry/pods/nothing/')).revision, at(7));
    });

    withStore('a watch from the current revision sees later writes with revisions and prevObject', async (s) => {
      await s.create(key('before'), pod('before'));
      const from = await s.currentRevision();
      const r = new Recorder();
      const w = await s.watch(DEFAULT, from, r.onEvent);
      const a = await s.create(key('a'), pod('a', 'default', { v: '1' }));
      const a2 = await s.update(key('a'), pod('a', 'default', { v: '2' }));
      const gone = await s.delete(key('a'));
      await r.until(3);
      w.stop();
      const [added, modified, deleted] = r.events;
      assert.deepEqual(r.summary(), [`ADDED@${at(2)}:${key('a')}`, `MODIFIED@${at(3)}:${key('a')}`, `DELETED@${at(4)}:${key('a')}`]);
      assert.deepEqual(added!.object, a);
      assert.equal(added!.prevObject, undefined);
      assert.deepEqual(modified!.object, a2);
      assert.equal(modified!.prevObject?.metadata.resourceVersion, rv(2));
      assert.deepEqual(modified!.prevObject?.metadata.labels, { v: '1' });
      assert.deepEqual(deleted!.object, gone, 'DELETED carries the last state');
      assert.equal(deleted!.object.metadata.resourceVersion, rv(4), 'stamped with the deletion revision');
      assert.deepEqual(deleted!.object.metadata.labels, { v: '2' });
      assert.equal(deleted!.prevObject?.metadata.resourceVersion, rv(3));
    });

    withStore('a watch from 0 replays the whole history, then goes live', async (s) => {
      await s.create(key('a'), pod('a'));
      await s.update(key('a'), pod('a', 'default', { v: '2' }));
      await s.create(key('b', 'other'), pod('b', 'other'));
      await s.delete(key('a'));
      const r = new Recorder();
      const w = await s.watch(PODS, at(0), r.onEvent);
      await s.create(key('c'), pod('c'));
      await r.until(5);
      w.stop();
      assert.deepEqual(r.summary(), [
        `ADDED@${at(1)}:${key('a')}`, `MODIFIED@${at(2)}:${key('a')}`, `ADDED@${at(3)}:${key('b', 'other')}`, `DELETED@${at(4)}:${key('a')}`,
        `ADDED@${at(5)}:${key('c')}`,
      ]);
      assert.equal(r.events[3]!.object.metadata.resourceVersion, rv(4));
      assert.deepEqual(r.events[3]!.object.metadata.labels, { v: '2' });
      assert.equal(r.events[1]!.prevObject?.metadata.resourceVersion, rv(1));
    });

    withStore('a watch from a middle revision sees exactly the later changes under its prefix', async (s) => {
      for (let i = 1; i <= 10; i++) await s.create(key(`p${i}`, i % 2 ? 'default' : 'default2'), pod(`p${i}`));
      const r = new Recorder();
      const w = await s.watch(DEFAULT, at(5), r.onEvent);
      await r.until(2);
      await settle();
      w.stop();
      assert.deepEqual(r.summary(), [`ADDED@${at(7)}:${key('p7')}`, `ADDED@${at(9)}:${key('p9')}`]);
    });

    withStore('replay hands over to live events with no gap and no duplicate', async (s) => {
      for (let i = 1; i <= 30; i++) await s.create(key(`p${i}`), pod(`p${i}`));
      const r = new Recorder();
      let wroteFromCallback = false;
      const w = await s.watch(DEFAULT, at(10), (e) => {
        r.onEvent(e);
        // A watcher that writes while its replay is being delivered (a controller reacting to history).
        if (e.revision === at(15) && !wroteFromCallback) { wroteFromCallback = true; void s.create(key('from-callback'), pod('x')); }
      });
      // Writes right after subscribing, before the replay has been delivered.
      await s.create(key('live1'), pod('live1'));
      await s.update(key('p1'), pod('p1', 'default', { v: '2' }));
      await r.until(20 + 3);
      await settle();
      w.stop();
      const revs = r.events.map((e) => e.revision);
      assert.deepEqual(revs, Array.from({ length: 23 }, (_, i) => at(11 + i)), `got ${r.summary().join(' ')}`);
      // When the callback's write lands among the test's own writes depends on how fast the replay is
      // delivered (at once in SQLite, over the network in etcd); it is seen exactly once either way.
      assert.equal(r.events.filter((e) => e.key === key('from-callback')).length, 1);
    });

    withStore('a watch from a future revision starts after it', async (s) => {
      await s.create(key('a'), pod('a'));
      const r = new Recorder();
      const w = await s.watch(DEFAULT, at(3), r.onEvent);
      for (const n of ['b', 'c', 'd', 'e']) await s.create(key(n), pod(n));
      await r.until(2);
      await settle();
      w.stop();
      assert.deepEqual(r.events.map((e) => e.revision), [at(4), at(5)]);
    });

    withStore('events arrive in revision order across interleaved writers', async (s) => {
      const r = new Recorder();
      const w = await s.watch(PODS, at(0), r.onEvent);
      await Promise.all(Array.from({ length: 5 }, async (_, writer) => {
        const k = key(`w${writer}`, `ns${writer % 3}`);
        await s.create(k, pod(`w${writer}`));
        for (let i = 1; i < 9; i++) await s.update(k, pod(`w${writer}`, 'default', { i: String(i) }));
        await s.delete(k);
      }));
      const total = await s.currentRevision() - at(0);
      await r.until(total);
      w.stop();
      assert.deepEqual(r.events.map((e) => e.revision), Array.from({ length: total }, (_, i) => at(i + 1)));
    });

    withStore('stop() ends delivery, also from inside a callback, and is idempotent', async (s) => {
      const r = new Recorder();
      const w = await s.watch(DEFAULT, at(0), r.onEvent);
      await s.create(key('a'), pod('a'));
      await r.until(1);
      w.stop();
      w.stop();
      await s.create(key('b'), pod('b'));
      await settle();
      assert.equal(r.events.length, 1);

      // Stopping from within the callback, in the middle of a replay.
      const seen = new Recorder();
      let self: Watcher | undefined;
      self = await s.watch(DEFAULT, at(0), (e) => { seen.onEvent(e); if (seen.events.length === 1) self!.stop(); });
      await seen.until(1);
      await s.create(key('c'), pod('c'));
      await settle();
      assert.deepEqual(seen.events.map((e) => e.revision), [at(1)]);
    });

    withStore('a watcher that writes from its callback keeps every watcher in revision order', async (s) => {
      const first = new Recorder();
      const last = new Recorder();
      const w1 = await s.watch(DEFAULT, at(0), (e) => {
        first.onEvent(e);
        // A controller reacting at once: its write commits while the others have not yet seen e.
        if (e.type === 'ADDED' && e.key === key('a')) void s.update(key('a'), pod('a', 'default', { reacted: 'yes' }));
      });
      const w2 = await s.watch(DEFAULT, at(0), last.onEvent);
      await s.create(key('a'), pod('a'));
      await first.until(2);
      await last.until(2);
      await settle();
      w1.stop();
      w2.stop();
      for (const r of [first, last]) assert.deepEqual(r.summary(), [`ADDED@${at(1)}:${key('a')}`, `MODIFIED@${at(2)}:${key('a')}`]);
    });

    withStore('a watch opened from inside a callback sees each event once', async (s) => {
      await s.create(key('a'), pod('a'));
      const inner = new Recorder();
      let innerWatch: Promise<Watcher> | undefined;
      const outer = await s.watch(DEFAULT, at(1), (e) => {
        // Opened while the store is delivering e: its history already holds e.
        innerWatch ??= s.watch(DEFAULT, at(1), inner.onEvent);
      });
      await s.create(key('b'), pod('b'));
      await s.create(key('c'), pod('c'));
      await inner.until(2);
      await settle();
      outer.stop();
      (await innerWatch!).stop();
      assert.deepEqual(inner.summary(), [`ADDED@${at(2)}:${key('b')}`, `ADDED@${at(3)}:${key('c')}`]);
    });

    withStore('a hundred concurrent watchers each see exactly their own events', async (s) => {
      const namespaces = ['default', 'default2', 'kube-system', 'web'];
      for (let i = 0; i < 20; i++) await s.create(key(`seed${i}`, namespaces[i % 4]), pod(`seed${i}`));
      const watchers: { r: Recorder; w: Watcher; prefix: string; from: number }[] = [];
      for (let i = 0; i < 100; i++) {
        const prefix = i % 5 === 4 ? PODS : `${PODS}${namespaces[i % 4]}/`;
        const from = i % 21; // some replay part of the seed history, one starts at the current revision
        const r = new Recorder();
        watchers.push({ r, prefix, from, w: await s.watch(prefix, from, r.onEvent) });
      }
      const writes: { revision: number; key: string }[] = [];
      for (let i = 0; i < 40; i++) {
        const n = i % 10;
        const k = key(`live${n}`, namespaces[n % 4]);
        const o = i < 10 ? await s.create(k, pod(`live${i}`)) : i < 30 ? await s.update(k, pod(`live${i}`)) : await s.delete(k);
        writes.push({ revision: Number(o.metadata.resourceVersion), key: k });
      }
      const history = [
        ...Array.from({ length: 20 }, (_, i) => ({ revision: at(i + 1), key: key(`seed${i}`, namespaces[i % 4]) })),
        ...writes,
      ];
      for (const { r, w, prefix, from } of watchers) {
        const expected = history.filter((h) => h.revision > from && h.key.startsWith(prefix)).map((h) => h.revision);
        await r.until(expected.length);
        await settle();
        w.stop();
        assert.deepEqual(r.events.map((e) => e.revision), expected, `watcher on ${prefix} from ${from}`);
      }
    });

    withStore('each watcher gets its own copy of an event', async (s) => {
      const a = new Recorder();
      const b = new Recorder();
      const wa = await s.watch(DEFAULT, at(0), (e) => { e.object.metadata.labels = { mutated: 'yes' }; a.onEvent(e); });
      const wb = await s.watch(DEFAULT, at(0), b.onEvent);
      await s.create(key('x'), pod('x'));
      await a.until(1);
      await b.until(1);
      wa.stop();
      wb.stop();
      assert.deepEqual(b.events[0]!.object.metadata.labels, {});
      assert.deepEqual((await s.get(key('x')))?.metadata.labels, {});
    });

    withStore('a watch from a revision older than the history fails with expired', async (s) => {
      const total = CONFORMANCE_HISTORY * 3;
      for (let i = 0; i < total; i++) await s.create(key(`p${i}`), pod(`p${i}`));
      // Compaction may run in the background: wait (bounded) until revision 1 has left the history.
      const deadline = Date.now() + 10_000;
      let expired: StoreError | undefined;
      while (!expired) {
        try {
          const w = await s.watch(DEFAULT, at(1), () => undefined);
          w.stop();
        } catch (e) {
          if (!(e instanceof StoreError)) throw e;
          expired = e;
        }
        if (!expired && Date.now() > deadline) assert.fail(`a watch from revision 1 still works after ${total} writes with a history of ${CONFORMANCE_HISTORY}`);
        if (!expired) await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(expired.code, 'expired');
      assert.equal(expired.currentRevision, at(total), 'an expired error reports the current revision');
      await rejectsWith(s.watch(DEFAULT, at(0), () => undefined), 'expired');
      // A recent revision still works and replays exactly what followed it.
      const r = new Recorder();
      const w = await s.watch(DEFAULT, at(total - 10), r.onEvent);
      await r.until(10);
      w.stop();
      assert.deepEqual(r.events.map((e) => e.revision), Array.from({ length: 10 }, (_, i) => at(total - 9 + i)));
      // Compaction never touches current state.
      assert.equal((await s.list(DEFAULT)).items.length, total);
      assert.equal((await s.get(key('p0')))?.metadata.resourceVersion, rv(1));
    });

    withStore('bad arguments are refused with a message that says what was wrong', async (s) => {
      await assert.rejects(s.create('', pod('a')), /key/);
      await assert.rejects(s.create(key('a'), { apiVersion: 'v1', kind: 'Pod' } as unknown as KubeObject), /metadata/);
      await assert.rejects(s.watch(DEFAULT, -1, () => undefined), /revision/);
      assert.equal(await s.currentRevision(), at(0));
    });

    withStore('data, revisions and watch history survive a reopen', async (s, opened, t) => {
      if (!opened.reopen) { t.skip(`${name} keeps nothing to reopen`); return; }
      await s.create(key('a'), pod('a'));
      await s.create(key('b'), pod('b'));
      await s.update(key('a'), pod('a', 'default', { v: '2' }));
      await s.delete(key('b'));
      await s.create(key('c', 'default2'), pod('c', 'default2'));
      const before = await s.list('');
      await s.close();
      const s2 = await opened.reopen();
      assert.equal(await s2.currentRevision(), at(5));
      assert.deepEqual(await s2.list(''), before);
      assert.equal((await s2.get(key('a')))?.metadata.resourceVersion, rv(3));
      const r = new Recorder();
      const w = await s2.watch(DEFAULT, at(2), r.onEvent);
      const d = await s2.create(key('d'), pod('d'));
      assert.equal(d.metadata.resourceVersion, rv(6), 'no revision is reused after a reopen');
      await r.until(3);
      w.stop();
      assert.deepEqual(r.summary(), [`MODIFIED@${at(3)}:${key('a')}`, `DELETED@${at(4)}:${key('b')}`, `ADDED@${at(6)}:${key('d')}`]);
      assert.equal(r.events[1]!.prevObject?.metadata.resourceVersion, rv(2));
    });

    withStore('expired history stays expired after a reopen', async (s, opened, t) => {
      if (!opened.reopen) { t.skip(`${name} keeps nothing to reopen`); return; }
      for (let i = 0; i < CONFORMANCE_HISTORY * 3; i++) await s.create(key(`p${i}`), pod(`p${i}`));
      const deadline = Date.now() + 10_000;
      for (;;) {
        const ok = await s.watch(DEFAULT, at(0), () => undefined).then((w) => (w.stop(), true), () => false);
        if (!ok) break;
        if (Date.now() > deadline) assert.fail('history was never compacted');
        await new Promise((r) => setTimeout(r, 20));
      }
      await s.close();
      const s2 = await opened.reopen();
      await rejectsWith(s2.watch(DEFAULT, at(0), () => undefined), 'expired');
      const current = await s2.currentRevision();
      assert.equal(current, at(CONFORMANCE_HISTORY * 3));
      const r = new Recorder();
      const w = await s2.watch(DEFAULT, current - 5, r.onEvent);
      await r.until(5);
      w.stop();
    });

    withStore('after close every call fails with closed, and close is idempotent', async (s) => {
      await s.create(key('a'), pod('a'));
      const r = new Recorder();
      await s.watch(DEFAULT, at(0), r.onEvent);
      await r.until(1);
      await s.close();
      await s.close();
      await rejectsWith(s.get(key('a')), 'closed');
      await rejectsWith(s.list(DEFAULT), 'closed');
      await rejectsWith(s.create(key('b'), pod('b')), 'closed');
      await rejectsWith(s.update(key('a'), pod('a')), 'closed');
      await rejectsWith(s.delete(key('a')), 'closed');
      await rejectsWith(s.watch(DEFAULT, at(0), () => undefined), 'closed');
      await rejectsWith(s.currentRevision(), 'closed');
    });
  });
}
