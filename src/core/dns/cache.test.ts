import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsCache, classify } from './cache.js';
import { loadCorefile } from './config.js';
import { roundRobin } from './loadbalance.js';
import { newQuery, replyTo, Rcode, RRClass, RRType, type Message, type ResourceRecord } from './types.js';

const rr = (name: string, type: number, ttl: number, data: ResourceRecord['data']): ResourceRecord => ({ name, type, class: RRClass.IN, ttl, data });
const soa = (zone: string, ttl: number, minimum: number) => rr(zone, RRType.SOA, ttl, { mname: `ns.${zone}`, rname: `h.${zone}`, serial: 1, refresh: 1, retry: 1, expire: 1, minimum });

function cacheOf(block: string, clock: { t: number }): DnsCache {
  const [s] = loadCorefile(`.:53 {\n${block}\n}`);
  return new DnsCache(s.cache!, () => clock.t);
}

function answer(q: Message, records: ResourceRecord[], rcode: number = Rcode.NOERROR, authority: ResourceRecord[] = []): Message {
  const m = replyTo(q, rcode);
  m.answer = records;
  m.authority = authority;
  return m;
}

test('positive answers: TTL capped by the cache TTL, counted down, case of the new question', () => {
  const clock = { t: 0 };
  const c = cacheOf('cache 30', clock);
  const q = newQuery('www.example.org', RRType.A);
  assert.equal(c.get(q), undefined);
  c.put(q, answer(q, [rr('www.example.org', RRType.A, 300, '192.0.2.1')]));
  clock.t = 10_000;
  const hit = c.get(newQuery('WWW.Example.org', RRType.A, { id: 77 }))!;
  assert.equal(hit.id, 77);
  assert.equal(hit.question[0].name, 'WWW.Example.org');
  assert.deepEqual(hit.answer, [rr('WWW.Example.org', RRType.A, 20, '192.0.2.1')]);
  clock.t = 30_000;
  assert.equal(c.get(q), undefined);
  assert.deepEqual(c.stats, { hits: { success: 1, denial: 0 }, misses: 2, evictions: 0 });
});

test('a record TTL below MINTTL is raised to it; denial uses the SOA; servfail its own duration', () => {
  const clock = { t: 0 };
  const c = cacheOf('cache {\n success 100 3600 5\n denial 100 60 2\n servfail 3s\n}', clock);
  const q = newQuery('a.example.org', RRType.A);
  c.put(q, answer(q, [rr('a.example.org', RRType.A, 1, '192.0.2.1')]));
  clock.t = 4_000;
  assert.equal(c.get(q)?.answer[0].ttl, 1);
  const nx = newQuery('nx.example.org', RRType.A);
  c.put(nx, answer(nx, [], Rcode.NXDOMAIN, [soa('example.org', 3600, 30)]));
  clock.t = 33_000;
  assert.equal(c.get(nx)?.rcode, Rcode.NXDOMAIN);
  clock.t = 35_000;
  assert.equal(c.get(nx), undefined);
  const sf = newQuery('sf.example.org', RRType.A);
  c.put(sf, answer(sf, [], Rcode.SERVFAIL));
  assert.equal(c.get(sf)?.rcode, Rcode.SERVFAIL);
  clock.t += 3_000;
  assert.equal(c.get(sf), undefined);
});

test("kubeadm's disable lines keep cluster.local out; other zones are cached", () => {
  const clock = { t: 0 };
  const c = cacheOf('cache 30 {\n disable success cluster.local\n disable denial cluster.local\n}', clock);
  const k = newQuery('web.default.svc.cluster.local', RRType.A);
  c.put(k, answer(k, [rr('web.default.svc.cluster.local', RRType.A, 30, '10.96.0.20')]));
  assert.equal(c.get(k), undefined);
  const p = newQuery('20.0.96.10.in-addr.arpa', RRType.PTR);
  c.put(p, answer(p, [rr('20.0.96.10.in-addr.arpa', RRType.PTR, 30, 'web.default.svc.cluster.local')]));
  assert.ok(c.get(p));
});

test('never cached: truncated replies, REFUSED, replies to another question; capacity evicts the oldest', () => {
  const clock = { t: 0 };
  const c = cacheOf('cache {\n success 2\n}', clock);
  const q = newQuery('t.example.org', RRType.A);
  const tc = answer(q, [rr('t.example.org', RRType.A, 60, '192.0.2.1')]);
  tc.tc = true;
  assert.equal(classify(tc), undefined);
  c.put(q, tc);
  c.put(q, answer(q, [], Rcode.REFUSED));
  c.put(q, answer(newQuery('other.example.org', RRType.A), [rr('other.example.org', RRType.A, 60, '192.0.2.1')]));
  assert.equal(c.get(q), undefined);
  for (const n of ['a', 'b', 'c']) { const x = newQuery(`${n}.example.org`, RRType.A); c.put(x, answer(x, [rr(`${n}.example.org`, RRType.A, 60, '192.0.2.1')])); }
  assert.equal(c.size('success'), 2);
  assert.equal(c.get(newQuery('a.example.org', RRType.A)), undefined);
  assert.ok(c.get(newQuery('c.example.org', RRType.A)));
});

test('loadbalance shuffles addresses, keeps CNAMEs first and the rest in order', () => {
  const records = [rr('x', RRType.A, 1, '1.1.1.1'), rr('x', RRType.CNAME, 1, 'y'), rr('x', RRType.A, 1, '1.1.1.2'), rr('x', RRType.TXT, 1, ['t']), rr('x', RRType.A, 1, '1.1.1.3')];
  const seenFirst = new Set<string>();
  let seed = 1;
  const random = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
  for (let i = 0; i < 50; i++) {
    const out = roundRobin([...records], random);
    assert.equal(out[0].type, RRType.CNAME);
    assert.equal(out[1].type, RRType.TXT);
    assert.deepEqual(out.slice(2).map((r) => r.data).sort(), ['1.1.1.1', '1.1.1.2', '1.1.1.3']);
    seenFirst.add(out[2].data as string);
  }
  assert.equal(seenFirst.size, 3);
});
