import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCorefile } from './corefile.js';
import { kubeadmCorefile, loadCorefile, parseServerKey } from './config.js';
import { parseDuration, reverseZonesOfCidr } from './names.js';

test("kubeadm's default Corefile reads as CoreDNS reads it", () => {
  const [s] = loadCorefile(kubeadmCorefile());
  assert.deepEqual(s.zones, ['.']);
  assert.equal(s.port, 53);
  assert.deepEqual(s.plugins, ['reload', 'ready', 'health', 'prometheus', 'errors', 'loadbalance', 'cache', 'kubernetes', 'loop', 'forward']);
  assert.deepEqual(s.health, { address: ':8080', lameduckMs: 5000 });
  assert.deepEqual(s.ready, { address: ':8181' });
  assert.deepEqual(s.prometheus, { address: ':9153' });
  assert.deepEqual(s.kubernetes, {
    zones: ['cluster.local', 'in-addr.arpa', 'ip6.arpa'], pods: 'insecure', endpointPodNames: false, ttl: 30,
    noEndpoints: false, fallthrough: ['in-addr.arpa', 'ip6.arpa'], ignoreEmptyService: false, startupTimeoutMs: 5000,
  });
  assert.deepEqual(s.forward, {
    from: '.', to: ['/etc/resolv.conf'], except: [], forceTcp: false, preferUdp: false, expireMs: 10000, maxFails: 2,
    policy: 'random', healthCheckMs: 500, maxConcurrent: 1000,
  });
  assert.deepEqual(s.cache, {
    zones: ['.'], success: { capacity: 9984, maxTtl: 30, minTtl: 5 }, denial: { capacity: 9984, maxTtl: 30, minTtl: 5 },
    servfailTtl: 5, keepTtl: false, disableSuccess: ['cluster.local'], disableDenial: ['cluster.local'],
  });
  assert.deepEqual(s.reload, { intervalMs: 30000, jitterMs: 15000 });
  assert.equal(s.loop, true);
  assert.equal(s.loadbalance, true);
});

test('syntax: comments, quotes, env substitution, several keys, snippets, a block without braces', () => {
  const blocks = parseCorefile(`
# a comment
(common) {
  errors
  log
}
example.org:1053 "other.org" {   # trailing comment
  import common
  forward . 127.0.0.1:5300 {
    except "a.example.org" b.example.org
  }
  bind {$BIND_ADDR}
}
`, { BIND_ADDR: '127.0.0.1' });
  assert.equal(blocks.length, 1);
  assert.deepEqual(blocks[0].keys, ['example.org:1053', 'other.org']);
  assert.deepEqual(blocks[0].directives.map((d) => [d.name, d.args]), [['errors', []], ['log', []], ['forward', ['.', '127.0.0.1:5300']], ['bind', ['127.0.0.1']]]);
  assert.deepEqual(blocks[0].directives[2].block!.map((d) => [d.name, d.args]), [['except', ['a.example.org', 'b.example.org']]]);

  const bare = parseCorefile('.:1053\nwhoami\nlog\n');
  assert.deepEqual(bare[0].directives.map((d) => d.name), ['whoami', 'log']);

  const servers = loadCorefile('example.org:1053 other.org {\n whoami\n}\n. { forward . 10.0.0.1 }', { defaultPort: 5353 });
  assert.deepEqual(servers.map((s) => [s.zones, s.port]), [[['example.org'], 1053], [['other.org'], 5353], [['.'], 5353]]);
});

test('errors name the line and say what to do', () => {
  const cases: Array<[string, RegExp]> = [
    ['.:53 {\n  errors\n', /Corefile:2 - unexpected end of file: a block is missing its closing }/],
    ['.:53 {\n  bogus\n}', /Corefile:2 - unknown directive "bogus"; podnet's DNS server has/],
    ['.:53 {\n kubernetes cluster.local {\n  pods maybe\n }\n}', /Corefile:3 - pods: mode must be disabled, insecure or verified/],
    ['.:53 {\n kubernetes cluster.local {\n  ttl 4000\n }\n}', /ttl must be an integer between 0 and 3600/],
    ['.:53 {\n forward . tls://1.1.1.1\n}', /plain DNS \(udp\/tcp\) only/],
    ['.:53 {\n forward . dns.google\n}', /is not an IP address/],
    ['.:53 {\n forward .\n}', /usage: forward FROM TO/],
    ['.:53 {\n cache 30 {\n  prefetch 10\n }\n}', /not prefetch or serve_stale/],
    ['.:53 {\n errors\n errors\n}', /Corefile:3 - errors: appears twice/],
    ['tls://.:853 {\n whoami\n}', /plain DNS only/],
    ['.:99999 {\n whoami\n}', /port must be a number/],
    ['.:53 {\n whoami\n}\n.:53 {\n log\n}', /served by two server blocks/],
    ['example.org {\n kubernetes cluster.local\n}', /outside the server block's zones/],
    ['.:53 {\n reload 1s\n}', /at least 2s/],
    ['.:53 {\n import nothing\n}', /no snippet \(nothing\)/],
    ['', /no server block/],
    ['.:53 {\n health a b\n}', /wrong number of arguments \(2\); usage: health \[ADDRESS\]/],
    ['.:53 "unterminated {', /unterminated quoted string/],
  ];
  for (const [text, re] of cases) assert.throws(() => loadCorefile(text), re, text);
});

test('server keys: schemes, ports and CIDR reverse zones', () => {
  assert.deepEqual(parseServerKey('.', 1, 53), { zones: ['.'], port: 53 });
  assert.deepEqual(parseServerKey('dns://Cluster.Local.:1053', 1, 53), { zones: ['cluster.local'], port: 1053 });
  assert.deepEqual(parseServerKey('10.0.0.0/8:53', 1, 53), { zones: ['10.in-addr.arpa'], port: 53 });
  assert.deepEqual(reverseZonesOfCidr('10.96.0.0/12'), Array.from({ length: 16 }, (_, i) => `${96 + i}.10.in-addr.arpa`));
  assert.deepEqual(reverseZonesOfCidr('192.168.1.0/24'), ['1.168.192.in-addr.arpa']);
  assert.deepEqual(reverseZonesOfCidr('fd00::/8'), ['d.f.ip6.arpa']);
});

test('durations as Go writes them', () => {
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('1m30s'), 90000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('30'), 30000);
  assert.equal(parseDuration('5x'), undefined);
  assert.equal(parseDuration(''), undefined);
});
