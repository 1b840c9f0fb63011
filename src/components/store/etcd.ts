// The Store over etcd v3 (Debian's etcd-server), laid out as kube-apiserver lays it out: the key is the
// registry path (/registry/<resource>/<namespace>/<name>), the value the object's JSON without
// metadata.resourceVersion, and the resourceVersion is etcd's mod_revision, so revisions are etcd's own
// and several API servers can share one etcd cluster. Watches are etcd watches (with the previous value,
// so DELETED and MODIFIED events carry prevObject), and history is compacted as kube-apiserver's
// compactor does: the store keeps the last historyRevisions revisions.
//
// Writes are sent one at a time, in call order: etcd orders what it receives, and gRPC would otherwise
// let two writes of one caller overtake each other. Each write is a single transaction whose comparison
// (create_revision = 0 for create, mod_revision = expected for compare-and-swap) makes it atomic.
import { Etcd3, type IKeyValue, type IResponseHeader } from 'etcd3';
import type { KubeObject } from '../../core/api/object.js';
import { checkKey, checkRevision, encodeObject, expiredError, exportObject, prefixEnd, toEvent, type LogEntry } from './codec.js';
import { StoreError, type ListResult, type Store, type StoreEvent, type Watcher } from './store.js';

export interface EtcdStoreOptions {
  /** Client URLs of the etcd members, e.g. ['http://127.0.0.1:2379']. */
  endpoints: string[];
  /** Keep at least this many of the latest revisions for watches. Default 10,000. */
  historyRevisions?: number;
  /** How long one request may take before it fails (and the etcd3 client tries another member). Default 10 s. */
  requestTimeoutMs?: number;
}

/** Keys per range request when listing. */
const LIST_PAGE = 1000;
/** etcd's answer for a revision older than its compaction. */
const COMPACTED = /required revision has been compacted/;
/** etcd's answer for a revision newer than it has. */
const FUTURE = /required revision is a future revision/;

export class EtcdStore implements Store {
  private readonly client: Etcd3;
  private readonly historyRevisions: number;
  private readonly timeout: number;
  private closed = false;
  /** The tail of the write queue: each write starts when the one before it settled. */
  private writes: Promise<unknown> = Promise.resolve();
  /** The revision up to which this store last asked etcd to compact. */
  private compactedTo = 0;
  private compacting = false;
  private readonly watchers = new Set<() => void>();

  constructor(readonly options: EtcdStoreOptions) {
    if (!Array.isArray(options.endpoints) || options.endpoints.length === 0) {
      throw new TypeError('EtcdStore: give at least one endpoint, e.g. http://127.0.0.1:2379');
    }
    for (const e of options.endpoints) {
      if (!/^https?:\/\/[^/\s]+$/.test(e)) {
        throw new TypeError(`EtcdStore: endpoint ${JSON.stringify(e)} is not a URL like http://127.0.0.1:2379`);
      }
    }
    this.historyRevisions = options.historyRevisions ?? 10_000;
    if (!Number.isSafeInteger(this.historyRevisions) || this.historyRevisions < 1) {
      throw new TypeError(`EtcdStore: historyRevisions must be a positive integer, got ${this.historyRevisions}`);
    }
    this.timeout = options.requestTimeoutMs ?? 10_000;
    // The client's default fault handling: a call that fails on one member's transport is retried (up to
    // three times) on another member, so one dead member of three costs a retry, not an error.
    // Like kube-apiserver, take messages of any size (a watch event or a range page can exceed gRPC's 4 MiB default).
    this.client = new Etcd3({
      hosts: options.endpoints, dialTimeout: this.timeout,
      grpcOptions: { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 },
    });
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    const res = await this.call(() => this.client.kv.range({ key: Buffer.from('\0'), limit: 1, keys_only: true }, this.opts()));
    return revisionOf(res.header);
  }

  async get(key: string): Promise<KubeObject | undefined> {
    this.checkOpen();
    checkKey(key);
    const res = await this.call(() => this.client.kv.range({ key: Buffer.from(key) }, this.opts()));
    const kv = res.kvs[0];
    return kv && exportObject(decode(kv), Number(kv.mod_revision));
  }

  async list(prefix: string): Promise<ListResult> {
    this.checkOpen();
    // Pages of LIST_PAGE keys, every page read at the first page's revision (kube-apiserver's paging of
    // etcd): the result is one consistent snapshot, and no single gRPC message grows with the list.
    const range = rangeOf(prefix);
    const items: KubeObject[] = [];
    let revision: number | undefined;
    let start = range.key;
    for (;;) {
      const from = start;
      const res = await this.call(() => this.client.kv.range({
        key: from, range_end: range.range_end, limit: LIST_PAGE, ...(revision === undefined ? {} : { revision: String(revision) }),
      } as never, this.opts()));
      revision ??= revisionOf(res.header);
      for (const kv of res.kvs) items.push(exportObject(decode(kv), Number(kv.mod_revision)));
      if (!res.more || res.kvs.length === 0) break;
      start = Buffer.concat([res.kvs.at(-1)!.key, Buffer.from([0])]);
    }
    return { items, revision };
  }

  create(key: string, object: KubeObject): Promise<KubeObject> {
    return this.write(async () => {
      const { json, stored } = encodeObject(key, object);
      const k = Buffer.from(key);
      const res = await this.client.kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 as never }],
        success: [{ request_put: { key: k, value: Buffer.from(json) } }],
        failure: [{ request_range: { key: k, keys_only: true } }],
      }, this.opts());
      const revision = revisionOf(res.header);
      if (!res.succeeded) {
        const existing = res.responses[0]?.response_range.kvs[0];
        throw new StoreError('exists', `${key} already exists (written at revision ${existing?.mod_revision ?? '?'})`, revision);
      }
      return exportObject(stored, revision);
    });
  }

  update(key: string, object: KubeObject, expectedRevision?: number): Promise<KubeObject> {
    return this.write(async () => {
      const { json, stored } = encodeObject(key, object);
      const res = await this.swap(key, 'update', expectedRevision, { request_put: { key: Buffer.from(key), value: Buffer.from(json) } });
      return exportObject(stored, revisionOf(res.header));
    });
  }

  delete(key: string, expectedRevision?: number): Promise<KubeObject> {
    return this.write(async () => {
      checkKey(key);
      const res = await this.swap(key, 'delete', expectedRevision, { request_delete_range: { key: Buffer.from(key), prev_kv: true } });
      const prev = res.responses[0]!.response_delete_range.prev_kvs[0]!;
      return exportObject(decode(prev), revisionOf(res.header));
    });
  }

  async watch(prefix: string, fromRevision: number, onEvent: (e: StoreEvent) => void, onError?: (e: StoreError) => void): Promise<Watcher> {
    this.checkOpen();
    if (typeof prefix !== 'string') throw new TypeError(`store: a watch prefix must be a string, got ${typeof prefix}`);
    checkRevision('fromRevision', fromRevision);
    await this.checkHistory(fromRevision);

    let stopped = false;
    const range = rangeOf(prefix);
    const builder = this.client.watch().inRange({ start: range.key, end: range.range_end }).withPreviousKV().startRevision(String(fromRevision + 1));
    const watcher = await this.call(() => builder.create());
    const deliver = (type: 'put' | 'delete') => (kv: IKeyValue, prevKv?: IKeyValue) => {
      if (stopped) return;
      onEvent(toEvent(entryOf(type, kv, prevKv)));
    };
    watcher.on('put', deliver('put'));
    watcher.on('delete', deliver('delete'));
    const stop = () => {
      if (stopped) return;
      stopped = true;
      this.watchers.delete(stop);
      watcher.removeAllListeners('put');
      watcher.removeAllListeners('delete');
      watcher.cancel().catch(() => undefined);
    };
    // etcd ends a watch whose history was compacted away while it was reconnecting: the caller must
    // list again (the API server sends 410 Gone), exactly as for a watch refused at the start.
    watcher.on('error', (err: Error) => {
      if (stopped) return;
      stop();
      const e = COMPACTED.test(err.message)
        ? expiredError(fromRevision, this.compactedTo, this.compactedTo)
        : new StoreError('closed', `the etcd watch on ${prefix || '(everything)'} ended: ${err.message}`);
      onError?.(e);
    });
    this.watchers.add(stop);
    return { stop };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of [...this.watchers]) stop();
    await this.writes.catch(() => undefined);
    this.client.close();
  }

  /** Compacts history older than the newest historyRevisions revisions; returns the revision compacted to. */
  async compact(): Promise<number> {
    this.checkOpen();
    const current = await this.currentRevision();
    const target = current - this.historyRevisions;
    if (target <= this.compactedTo) return this.compactedTo;
    try {
      await this.client.kv.compact({ revision: String(target), physical: false } as never, this.opts());
    } catch (e) {
      // Another API server on the same etcd compacted further already: that is what we wanted.
      if (!COMPACTED.test((e as Error).message)) throw e;
    }
    this.compactedTo = target;
    return target;
  }

  /** A compare-and-swap transaction on an existing key: notfound / conflict as the Store contract says. */
  private async swap(key: string, verb: string, expectedRevision: number | undefined, op: object) {
    checkKey(key);
    if (expectedRevision !== undefined) checkRevision('expectedRevision', expectedRevision);
    const k = Buffer.from(key);
    const compare = expectedRevision === undefined
      ? { key: k, target: 'Create', result: 'Greater', create_revision: 0 }
      : { key: k, target: 'Mod', result: 'Equal', mod_revision: expectedRevision };
    const res = await this.client.kv.txn({
      compare: [compare as never], success: [op as never], failure: [{ request_range: { key: k, keys_only: true } }],
    }, this.opts());
    if (res.succeeded) return res;
    const revision = revisionOf(res.header);
    const existing = res.responses[0]?.response_range.kvs[0];
    if (!existing) throw new StoreError('notfound', `cannot ${verb} ${key}: it does not exist`, revision);
    throw new StoreError('conflict',
      `cannot ${verb} ${key}: it is at revision ${existing.mod_revision}, not the expected ${expectedRevision}; read it again and retry`,
      revision);
  }

  /** Fails with 'expired' when the history after fromRevision has been compacted away. */
  private async checkHistory(fromRevision: number): Promise<void> {
    try {
      await this.client.kv.range({ key: Buffer.from('\0'), limit: 1, keys_only: true, revision: String(fromRevision + 1) } as never, this.opts());
    } catch (e) {
      const message = (e as Error).message;
      if (FUTURE.test(message)) return;
      if (COMPACTED.test(message)) {
        const current = await this.currentRevision();
        throw expiredError(fromRevision, Math.max(this.compactedTo, fromRevision), current);
      }
      throw this.unavailable(e);
    }
  }

  /** Runs a write after the ones before it; compacts in the background once history outgrew its bound. */
  private write<T extends KubeObject>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError());
    const result = this.writes.then(() => {
      this.checkOpen();
      return this.call(fn);
    });
    this.writes = result.catch(() => undefined);
    return result.then((o) => {
      this.maybeCompact(Number(o.metadata.resourceVersion));
      return o;
    });
  }

  private maybeCompact(revision: number): void {
    const slack = Math.max(1, Math.floor(this.historyRevisions / 10));
    if (this.compacting || revision - this.historyRevisions < this.compactedTo + slack) return;
    this.compacting = true;
    setImmediate(() => {
      if (this.closed) { this.compacting = false; return; }
      this.compact().catch(() => undefined).finally(() => { this.compacting = false; });
    });
  }

  /** Runs one etcd call, turning transport failures into an error that names the endpoints. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof StoreError || e instanceof TypeError) throw e;
      throw this.unavailable(e);
    }
  }

  private unavailable(e: unknown): Error {
    if (this.closed) return this.closedError();
    return new Error(`etcd at ${this.options.endpoints.join(', ')} did not answer: ${(e as Error).message}; check that etcd runs (podnet status)`,
      { cause: e });
  }

  private opts() {
    return { deadline: Date.now() + this.timeout };
  }

  private checkOpen(): void {
    if (this.closed) throw this.closedError();
  }

  private closedError(): StoreError {
    return new StoreError('closed', `the store on etcd ${this.options.endpoints.join(', ')} is closed; open it again`);
  }
}

/** The key range of a prefix: everything when it is empty. */
function rangeOf(prefix: string): { key: Buffer; range_end: Buffer } {
  if (prefix === '') return { key: Buffer.from([0]), range_end: Buffer.from([0]) };
  const end = prefixEnd(prefix);
  // A prefix ending in a character prefixEnd cannot increment: etcd's own rule, the last byte + 1.
  if (end !== undefined) return { key: Buffer.from(prefix), range_end: Buffer.from(end) };
  const bytes = Buffer.from(prefix);
  let i = bytes.length - 1;
  while (i >= 0 && bytes[i] === 0xff) i--;
  if (i < 0) return { key: bytes, range_end: Buffer.from([0]) };
  const rangeEnd = Buffer.from(bytes.subarray(0, i + 1));
  rangeEnd[i]! += 1;
  return { key: bytes, range_end: rangeEnd };
}

function decode(kv: IKeyValue): KubeObject {
  return JSON.parse(kv.value.toString('utf8')) as KubeObject;
}

function revisionOf(header: IResponseHeader): number {
  return Number(header.revision);
}

/** A watch event as the history entry the codec turns into a StoreEvent. */
function entryOf(type: 'put' | 'delete', kv: IKeyValue, prevKv: IKeyValue | undefined): LogEntry {
  const revision = Number(kv.mod_revision);
  const key = kv.key.toString('utf8');
  const prev = prevKv ? decode(prevKv) : null;
  const prevRevision = prevKv ? Number(prevKv.mod_revision) : null;
  if (type === 'delete') return { revision, key, type: 'DELETED', object: null, prev, prevRevision };
  const created = kv.create_revision === kv.mod_revision;
  return { revision, key, type: created ? 'ADDED' : 'MODIFIED', object: decode(kv), prev: created ? null : prev, prevRevision: created ? null : prevRevision };
}
