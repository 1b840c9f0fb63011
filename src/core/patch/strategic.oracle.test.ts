// Differential test: podnet's strategic merge patch against the real kubectl 1.32 (`kubectl patch --local`),
// which runs the same apimachinery code kube-apiserver does. Each case is (object, patch); the results, or
// the error messages, must be identical. Fails (never skips) when kubectl is missing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../api/object.js';
import { KubectlOracle } from './kubectl-oracle.testkit.js';
import { applyStrategicMergePatch } from './strategic.js';

const meta = (extra: JsonObject = {}): JsonObject =>
  JSON.parse(JSON.stringify({ name: 'web', namespace: 'default', ...extra })); // drops `namespace: undefined`
const obj = (apiVersion: string, kind: string, body: JsonObject, metadata: JsonObject = {}): JsonObject =>
  ({ apiVersion, kind, metadata: meta(metadata), ...body });

const nginx = { name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] };
const POD = obj('v1', 'Pod', {
  spec: {
    containers: [{
      name: 'app', image: 'busybox', command: ['sleep', '3600'], args: ['-x'],
      ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 9090, name: 'metrics' }],
      env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
      volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'cfg', mountPath: '/etc/cfg' }],
    }, { name: 'sidecar', image: 'envoy' }],
    initContainers: [{ name: 'init', image: 'busybox', ports: [{ containerPort: 1 }] }],
    volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg' } }],
    tolerations: [{ key: 'a', operator: 'Exists' }],
    hostAliases: [{ ip: '10.0.0.1', hostnames: ['a'] }],
    imagePullSecrets: [{ name: 'regcred' }],
    topologySpreadConstraints: [{ topologyKey: 'zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' }],
    securityContext: { runAsUser: 1000, fsGroup: 2000 },
  },
  status: {
    phase: 'Running', podIPs: [{ ip: '10.244.1.5' }],
    conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }],
  },
}, {
  labels: { app: 'web', tier: 'fe' }, annotations: { a: '1' }, finalizers: ['a.io/x', 'b.io/y'],
  ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }],
});
const NGINX_POD = obj('v1', 'Pod', { spec: { containers: [nginx] } });
const SERVICE = obj('v1', 'Service', {
  spec: {
    type: 'ClusterIP', clusterIP: '10.96.0.20', selector: { app: 'web', tier: 'fe' },
    ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }, { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 }],
  },
  status: { conditions: [{ type: 'A', status: 'True' }] },
});
const DNS_SERVICE = obj('v1', 'Service', {
  spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }] },
});
const DEPLOYMENT = obj('apps/v1', 'Deployment', {
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ ...nginx, env: [{ name: 'MODE', value: 'a' }] }], volumes: [{ name: 'v', emptyDir: {} }] },
    },
  },
  status: { conditions: [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True' }] },
});
const REPLICASET = obj('apps/v1', 'ReplicaSet', {
  spec: { replicas: 1, template: { spec: { containers: [nginx], volumes: [{ name: 'v', emptyDir: {} }] } } },
});
const INGRESS = obj('networking.k8s.io/v1', 'Ingress', {
  spec: {
    ingressClassName: 'nginx',
    defaultBackend: { service: { name: 'default', port: { number: 80 } } },
    tls: [{ hosts: ['a.example'], secretName: 'a-tls' }],
    rules: [
      { host: 'a.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'a', port: { number: 80 } } } }] } },
      { host: 'b.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'b', port: { number: 80 } } } }] } },
    ],
  },
});
const NETPOL = obj('networking.k8s.io/v1', 'NetworkPolicy', {
  spec: {
    podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
  },
});
const NODE = obj('v1', 'Node', {
  spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'a', effect: 'NoSchedule' }] },
  status: {
    addresses: [{ type: 'InternalIP', address: '172.31.250.11' }, { type: 'Hostname', address: 'node-1' }],
    conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }],
  },
}, { namespace: undefined });

interface Case { name: string; object: JsonObject; patch: JsonObject }
const c = (name: string, object: JsonObject, patch: JsonObject): Case => ({ name, object, patch });

const CASES: Case[] = [
  // --- the patches kubectl apply really sends
  c('apply: new image and container port (observed on the wire)', NGINX_POD, {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' } },
    spec: {
      '$setElementOrder/containers': [{ name: 'nginx' }],
      containers: [{ '$setElementOrder/ports': [{ containerPort: 8080 }], image: 'nginx:1.28', name: 'nginx',
        ports: [{ containerPort: 8080 }, { $patch: 'delete', containerPort: 80 }] }],
    },
  }),
  c('apply: add a container before the existing one', NGINX_POD, {
    spec: { '$setElementOrder/containers': [{ name: 'log' }, { name: 'nginx' }], containers: [{ name: 'log', image: 'fluentd' }] },
  }),
  c('apply: remove a container', POD, {
    spec: { '$setElementOrder/containers': [{ name: 'app' }], containers: [{ $patch: 'delete', name: 'sidecar' }] },
  }),
  c('apply: reorder containers only', POD, {
    spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }] },
  }),
  c('apply: env change, addition and deletion by name', POD, {
    spec: { '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }], containers: [{
      name: 'app', '$setElementOrder/env': [{ name: 'C' }, { name: 'A' }],
      env: [{ name: 'C', value: '3' }, { name: 'A', value: 'one' }, { $patch: 'delete', name: 'B' }] }] },
  }),
  c('apply: finalizers with $setElementOrder and $deleteFromPrimitiveList', POD, {
    metadata: { '$setElementOrder/finalizers': ['c.io/z', 'a.io/x'], finalizers: ['c.io/z'], '$deleteFromPrimitiveList/finalizers': ['b.io/y'] },
  }),
  c('apply: Deployment strategy switched to Recreate ($retainKeys)', DEPLOYMENT, {
    spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } },
  }),
  c('apply: volume source switched with $retainKeys', POD, {
    spec: { '$setElementOrder/volumes': [{ name: 'data' }, { name: 'cfg' }],
      volumes: [{ $retainKeys: ['hostPath', 'name'], name: 'data', hostPath: { path: '/srv' } }] },
  }),
  c('apply: server-added elements keep their place after a delete and an add', obj('v1', 'Pod', { spec: { containers: [
    { name: 'a', image: 'a' }, { name: 'b', image: 'b' }, { name: 'c', image: 'c' }, { name: 'e', image: 'e' }] } }), {
    spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'd' }, { name: 'b' }],
      containers: [{ name: 'd', image: 'd' }, { $patch: 'delete', name: 'a' }] },
  }),
  // --- Pod lists by merge key
  c('containers merge by name, new container goes first', POD, { spec: { containers: [{ name: 'new', image: 'x' }, { name: 'app', image: 'busybox:2' }] } }),
  c('container ports merge by containerPort', POD, { spec: { containers: [{ name: 'app', ports: [{ containerPort: 9090, protocol: 'UDP' }, { containerPort: 7070 }] }] } }),
  c('container ports: same containerPort, two protocols collapse', obj('v1', 'Pod', { spec: { containers: [{ name: 'dns',
    ports: [{ containerPort: 53, protocol: 'UDP' }, { containerPort: 53, protocol: 'TCP' }] }] } }), {
    spec: { containers: [{ name: 'dns', ports: [{ containerPort: 53, protocol: 'TCP', name: 'dns-tcp' }] }] },
  }),
  c('volumeMounts merge by mountPath', POD, { spec: { containers: [{ name: 'app', volumeMounts: [{ mountPath: '/data', readOnly: true }, { mountPath: '/x', name: 'x' }] }] } }),
  c('volume source switched without $retainKeys keeps both sources', POD, { spec: { volumes: [{ name: 'data', hostPath: { path: '/srv' } }] } }),
  c('initContainers ports merge', POD, { spec: { initContainers: [{ name: 'init', ports: [{ containerPort: 2 }] }] } }),
  c('command and args are replaced', POD, { spec: { containers: [{ name: 'app', command: ['nginx'], args: [] }] } }),
  c('tolerations are replaced', POD, { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } }),
  c('hostAliases merge by ip', POD, { spec: { hostAliases: [{ ip: '10.0.0.1', hostnames: ['b'] }, { ip: '10.0.0.2', hostnames: ['c'] }] } }),
  c('imagePullSecrets merge by name', POD, { spec: { imagePullSecrets: [{ name: 'other' }] } }),
  c('topologySpreadConstraints merge by topologyKey', POD, { spec: { topologySpreadConstraints: [{ topologyKey: 'zone', maxSkew: 2 }, { topologyKey: 'host', maxSkew: 1 }] } }),
  c('status conditions merge by type, podIPs by ip', POD, { status: {
    conditions: [{ type: 'Ready', status: 'True' }, { type: 'ContainersReady', status: 'True' }], podIPs: [{ ip: 'fd00::5' }] } }),
  // --- metadata
  c('labels merge, null deletes, absent null ignored', POD, { metadata: { labels: { tier: null, version: 'v2', nothere: null }, annotations: null } }),
  c('finalizers merge as a set', POD, { metadata: { finalizers: ['b.io/y', 'c.io/z'] } }),
  c('finalizers with a duplicate: Go appends into the decoded list and reorders by it', obj('v1', 'Pod', {}, { finalizers: ['w', 'z', 'w'] }),
    { metadata: { '$setElementOrder/finalizers': ['x', 'y'], finalizers: ['x'] } }),
  c('$deleteFromPrimitiveList/finalizers', POD, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a.io/x', 'nope'] } }),
  c('$deleteFromPrimitiveList with null deletes the list', POD, { metadata: { '$deleteFromPrimitiveList/finalizers': null } }),
  c('$deleteFromPrimitiveList on an atomic list', POD, { spec: { containers: [{ name: 'app', '$deleteFromPrimitiveList/command': ['3600'] }] } }),
  c('ownerReferences merge by uid', POD, { metadata: { ownerReferences: [{ uid: 'u1', controller: false }, { uid: 'u2', apiVersion: 'v1', kind: 'X', name: 'x' }] } }),
  // --- directives on objects and lists
  c('$patch: replace on an object', POD, { spec: { securityContext: { $patch: 'replace', runAsNonRoot: true } } }),
  c('$patch: delete on an object empties it', POD, { spec: { securityContext: { $patch: 'delete' } } }),
  c('$patch: replace element replaces a merging list', POD, { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x' }] } }),
  c('a new value keeps directives but loses nested nulls', POD, { spec: { dnsConfig: { options: [{ name: 'ndots', value: null }], nameservers: null },
    containers: [{ name: 'fresh', image: null, ports: [{ $patch: 'delete', containerPort: 1 }] }] } }),
  c('directives in a new object or list are dropped, nested too', POD, { spec: { affinity: { $patch: 'delete' },
    overhead: { a: { $patch: 'replace', b: 1 }, c: '1' }, readinessGates: [{ $patch: 'delete', conditionType: 'x' }, { conditionType: 'y' }] } }),
  c('a list added under $setElementOrder loses its directive elements', NGINX_POD, {
    spec: { '$setElementOrder/imagePullSecrets': [{ name: 'a' }], imagePullSecrets: [{ name: 'a' }, { $patch: 'delete', name: 'b' }] } }),
  c('an object sent with $patch over a list deletes the list', POD, { spec: { tolerations: { $patch: 'delete' } } }),
  c('$patch: replace keeps nested directives as sent', POD, { spec: { securityContext: { $patch: 'replace', seLinuxOptions: { $patch: 'delete' } } } }),
  c('a value of another JSON type replaces', POD, { spec: { securityContext: 'weird', hostAliases: { ip: 'x' } } }),
  // --- Service
  c('Service ports merge by port', SERVICE, { spec: { ports: [{ port: 443, targetPort: 9443 }, { port: 8080, name: 'alt', protocol: 'TCP' }] } }),
  c('Service port deleted with $setElementOrder', SERVICE, { spec: { '$setElementOrder/ports': [{ port: 443 }], ports: [{ $patch: 'delete', port: 80 }] } }),
  c('Service same port, two protocols: the UDP port is lost (upstream quirk)', DNS_SERVICE, {
    spec: { ports: [{ name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 5353 }] },
  }),
  c('Service selector merge and status conditions', SERVICE, { spec: { selector: { tier: null, env: 'prod' } }, status: { conditions: [{ type: 'B', status: 'False' }] } }),
  // --- apps
  c('Deployment strategy changed without $retainKeys keeps rollingUpdate', DEPLOYMENT, { spec: { strategy: { type: 'Recreate' } } }),
  c('Deployment template containers and env merge', DEPLOYMENT, { spec: { template: { metadata: { labels: { v: '2' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.28', env: [{ name: 'MODE', value: 'b' }, { name: 'X', value: '1' }] }] } } } }),
  c('Deployment matchExpressions replaced, status conditions merged', DEPLOYMENT, {
    spec: { selector: { matchExpressions: [{ key: 'x', operator: 'Exists' }] } }, status: { conditions: [{ type: 'Progressing', reason: 'NewReplicaSetAvailable' }] } }),
  c('ReplicaSet template volumes merge by name', REPLICASET, { spec: { replicas: 3, template: { spec: { volumes: [{ name: 'w', emptyDir: { medium: 'Memory' } }] } } } }),
  // --- networking
  c('Ingress rules are replaced whole', INGRESS, { spec: { rules: [{ host: 'c.example', http: { paths: [{ path: '/c', pathType: 'Exact', backend: { service: { name: 'c', port: { number: 8080 } } } }] } }] } }),
  c('Ingress tls replaced, defaultBackend merged', INGRESS, { spec: { tls: [{ hosts: ['b.example'] }], defaultBackend: { service: { port: { number: 8080 } } } } }),
  c('NetworkPolicy ingress and policyTypes replaced, podSelector merged', NETPOL, { spec: {
    podSelector: { matchLabels: { tier: 'db' } }, policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }], egress: [{ to: [{ namespaceSelector: {} }] }] } }),
  c('IngressClass parameters merge', obj('networking.k8s.io/v1', 'IngressClass', { spec: { controller: 'x/y', parameters: { kind: 'A', name: 'a' } } }, { namespace: undefined }),
    { spec: { parameters: { name: 'b', scope: 'Cluster' } } }),
  // --- core kinds
  c('Node podCIDRs as a set, taints replaced, addresses and conditions by type', NODE, {
    spec: { podCIDRs: ['fd00:10:244:1::/64'], taints: [{ key: 'b', effect: 'NoExecute' }] },
    status: { addresses: [{ type: 'InternalIP', address: '172.31.250.12' }], conditions: [{ type: 'Ready', status: 'True', reason: null }] },
  }),
  c('Namespace status conditions by type', obj('v1', 'Namespace', { spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active', conditions: [{ type: 'A', status: 'True' }] } }, { namespace: undefined }),
    { spec: { finalizers: ['other'] }, status: { conditions: [{ type: 'A', status: 'False' }, { type: 'B', status: 'True' }] } }),
  c('ServiceAccount secrets by name', obj('v1', 'ServiceAccount', { secrets: [{ name: 's1' }], imagePullSecrets: [{ name: 'p1' }] }),
    { secrets: [{ name: 's2' }], imagePullSecrets: [{ name: 'p2' }] }),
  c('ConfigMap data merge and delete', obj('v1', 'ConfigMap', { data: { a: '1', b: '2' } }), { data: { a: null, c: '3' } }),
  c('Secret data merge', obj('v1', 'Secret', { type: 'Opaque', data: { a: 'MQ==' } }), { data: { b: 'Mg==' }, stringData: { c: '3' } }),
  c('Endpoints subsets replaced', obj('v1', 'Endpoints', { subsets: [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80 }] }] }),
    { subsets: [{ addresses: [{ ip: '10.244.2.7' }], ports: [{ port: 80 }] }] }),
  c('EndpointSlice endpoints replaced', obj('discovery.k8s.io/v1', 'EndpointSlice', { addressType: 'IPv4', endpoints: [{ addresses: ['10.244.1.5'] }], ports: [{ port: 80 }] }),
    { endpoints: [{ addresses: ['10.244.2.7'], conditions: { ready: true } }] }),
  c('Event fields merge', obj('v1', 'Event', { involvedObject: { kind: 'Pod', name: 'web' }, reason: 'Started', count: 1 }), { count: 2, lastTimestamp: '2026-01-01T00:00:00Z' }),
  c('Scale spec merge', obj('autoscaling/v1', 'Scale', { spec: { replicas: 1 }, status: { replicas: 1 } }), { spec: { replicas: 5 } }),
  // --- errors, with upstream's messages
  c('error: $patch: merge on an object', POD, { metadata: { labels: { $patch: 'merge', b: '2' } } }),
  c('error: $patch: merge in a list', POD, { spec: { containers: [{ name: 'app', $patch: 'merge' }] } }),
  c('error: unknown $patch value', POD, { spec: { containers: [{ name: 'app', $patch: 'nope' }] } }),
  c('error: element without its merge key', POD, { spec: { containers: [{ image: 'nginx:1.25' }] } }),
  c('error: $patch: delete without merge key', POD, { spec: { volumes: [{ $patch: 'delete', emptyDir: {} }] } }),
  c('error: key outside $retainKeys', DEPLOYMENT, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 1 } } } }),
  c('error: $retainKeys not a list', DEPLOYMENT, { spec: { strategy: { $retainKeys: 'type' } } }),
  c('error: patch list order disagrees with $setElementOrder', POD, {
    spec: { '$setElementOrder/containers': [{ name: 'app' }], containers: [{ name: 'sidecar', image: 'x' }] } }),
  c('error: malformed $setElementOrder key', POD, { spec: { $setElementOrderX: [{ name: 'app' }] } }),
  c('error: malformed $deleteFromPrimitiveList key', POD, { metadata: { '$deleteFromPrimitiveListfinalizers': ['a'] } }),
  c('error: list element types differ', POD, { metadata: { finalizers: [1] } }),
  c('error: list of lists', POD, { metadata: { finalizers: [['a']] } }),
];

// ---- seeded random cases: list merging and ordering, where upstream's algorithm has the most corners

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random containers/finalizers and random apply-like patches (set order, updates, additions, deletions). */
function randomCases(count: number, seed: number): Case[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: T[]): T[] => xs.filter(() => rnd() < 0.5);
  const shuffle = <T>(xs: T[]): T[] => { const a = [...xs]; for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; } return a; };
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const finalizers = ['w', 'x', 'y', 'z'];
  const cases: Case[] = [];
  for (let n = 0; n < count; n++) {
    const current = shuffle(pick(names));
    const object = obj('v1', 'Pod', { spec: { containers: current.map((name) => ({ name, image: `${name}:1` })) } },
      { finalizers: shuffle(pick(finalizers)) });
    const spec: JsonObject = {};
    const order = shuffle(pick(names));
    const sent = order.filter(() => rnd() < 0.6).map((name) => ({ name, image: `${name}:2` }));
    const deleted = pick(current.filter((x) => !order.includes(x))).map((name) => ({ $patch: 'delete', name }));
    if (rnd() < 0.8) spec['$setElementOrder/containers'] = order.map((name) => ({ name }));
    if (sent.length || deleted.length) spec.containers = rnd() < 0.1 ? [...sent, { $patch: 'replace' }] : [...sent, ...deleted];
    const metadata: JsonObject = {};
    if (rnd() < 0.5) {
      const want = shuffle(pick(finalizers));
      metadata['$setElementOrder/finalizers'] = want;
      metadata.finalizers = pick(want);
      metadata['$deleteFromPrimitiveList/finalizers'] = pick(finalizers.filter((f) => !want.includes(f)));
    }
    cases.push(c(`random #${n}: ${JSON.stringify({ current, spec, metadata })}`, object, { metadata, spec }));
  }
  return cases;
}
CASES.push(...randomCases(60, 20260101));

describe('strategic merge patch agrees with kubectl 1.32', () => {
  let oracle: KubectlOracle;
  before(async () => { oracle = await KubectlOracle.require(); });
  after(() => oracle?.cleanup());

  it('has a table of at least 40 hand-written cases', () => assert.ok(CASES.filter((x) => !x.name.startsWith('random')).length >= 40));

  for (const tc of CASES) {
    it(tc.name, async () => {
      const expected = await oracle.patch(tc.object, tc.patch, 'strategic');
      let actual: { ok: true; object: JsonObject } | { ok: false; error: string };
      try {
        actual = { ok: true, object: applyStrategicMergePatch(tc.object, tc.patch, tc.object.apiVersion, tc.object.kind) };
      } catch (e) {
        // kubectl ends every error with one newline, so a message's own trailing newline cannot be seen.
        actual = { ok: false, error: (e as Error).message.replace(/\n$/, '') };
      }
      assert.deepStrictEqual(actual, expected);
      if (tc.name.startsWith('error:')) assert.equal(expected.ok, false, 'an error case must fail in kubectl too');
    });
  }
});
