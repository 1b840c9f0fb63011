// `podnet join`: make the host (the network namespace this runs in) a node of a cluster whose API server
// runs on another host, as kubeadm join does for a kubelet:
//   discovery  cluster-info fetched without credentials, its CA pinned with --ca-cert-hash;
//   settings   kube-system/podnet-config read with the token over TLS verified by that CA;
//   checks     the Node name is free, the host reaches the API server, and with host-gw every node is
//              on this host's L2 segment (refused otherwise: core/cluster/join.ts says why);
//   state      a state directory like `podnet up`'s (cluster.json with this one node, CA, token,
//              kubeconfig, inventory), plus join.json that tells `podnet down` it is a joined host;
//   agent      the same `podnet agent` that `podnet up` starts, here in this namespace; it registers the
//              Node with its InternalIP, node IPAM gives it a podCIDR, and its overlay publishes the
//              flannel annotations, from which every other node programs its route/FDB/ARP entries.
// The Node carries node.kubernetes.io/exclude-from-external-load-balancers: LoadBalancer addresses come
// from the first host's underlay and are answered by ARP there, which a node on another segment cannot do.
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { isIPv4 } from '../../core/net/index.js';
import { ApiException, CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import type { ClusterConfig } from '../../core/cluster/config.js';
import {
  CLUSTER_INFO, PODNET_CONFIG, caCertHash, hostGwRefusal, parseClusterInfo, parsePodnetConfig, validateCaCertHash,
  type ClusterSettings, type PeerRoute,
} from '../../core/cluster/join.js';
import { clusterPaths } from '../../core/topology/plan.js';
import { VXLAN_DEVICE } from '../../core/overlay/index.js';
import { routeGet } from '../../linux/route.js';
import { listAddresses } from '../../linux/addr.js';
import { CommandError } from '../../linux/exec.js';
import type { ProcessIdentity } from '../../linux/process.js';
import { clusterConfigPath, stateDirOf, stateRoot as defaultStateRoot, upFinishedPath } from './state.js';
import { Inventory } from './inventory.js';
import { writeClusterKubeconfig } from './kubeconfig.js';
import { agentProcessName, keepLogs, logFileOf, mustBeAlive, startSupervised } from './supervisor.js';
import { waitForNodesReady } from './readiness.js';
import { tearDown } from './down.js';
import { joinRecordPath, type JoinRecord } from './join-record.js';
import type { Progress } from './progress.js';

/** The cni0 bridge the node's CNI configuration names (core/cni). */
const CNI_BRIDGE = 'cni0';
const LABEL_EXCLUDE_FROM_LB = 'node.kubernetes.io/exclude-from-external-load-balancers';

export interface JoinOptions {
  /** The API server, https://<address>:<port>, as `podnet join-command` prints it. */
  server: string;
  token: string;
  /** sha256:<hex>: the pin of the cluster CA (kubeadm's --discovery-token-ca-cert-hash). */
  caCertHash: string;
  /** The Node's name; the host name when absent. */
  nodeName?: string;
  /** The Node's InternalIP; the source address of the route to the API server when absent (kubelet's --node-ip). */
  nodeIP?: string;
  podnetCommand: string[];
  stateRoot?: string;
  readyTimeoutMs?: number;
}

export interface JoinResult { config: ClusterConfig; node: string; ip: string; uplink: string }

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function parseServer(text: string): { url: string; host: string; port: number } {
  let u: URL;
  try { u = new URL(text); } catch { throw new Error(`--server ${JSON.stringify(text)} is not a URL; give it as https://<address>:<port>, e.g. https://172.31.250.1:6443`); }
  if (u.protocol !== 'https:') throw new Error(`--server must be https:// (the API server speaks TLS only), got ${text}`);
  const host = u.hostname;
  if (!isIPv4(host)) throw new Error(`--server must name the API server by its IPv4 address (the one its certificate holds, as podnet join-command prints it), got ${host}`);
  return { url: `https://${host}:${u.port || '443'}`, host, port: Number(u.port || 443) };
}

/** GET without credentials and without trusting the certificate yet: only for cluster-info, whose CA is then checked against the pin. */
function getInsecure(url: string, timeoutMs = 10_000): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, timeout: timeoutMs, headers: { accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

/** The cluster CA from cluster-info, once its hash matches the pin. */
async function discoverCA(server: string, pin: string): Promise<string> {
  const path = `/api/v1/namespaces/${CLUSTER_INFO.namespace}/configmaps/${CLUSTER_INFO.name}`;
  let r: { code: number; body: string };
  try { r = await getInsecure(server + path); } catch (e) {
    throw new Error(`cannot reach the API server at ${server} (${(e as Error).message}): check that this host routes to it and that TCP ${new URL(server).port} is open between the hosts`);
  }
  if (r.code !== 200) throw new Error(`${server}${path} answered HTTP ${r.code}: the cluster publishes no cluster-info (bring it up with this podnet version) or it is not a podnet API server`);
  const { caPem } = parseClusterInfo((JSON.parse(r.body) as V1ConfigMap).data);
  const got = caCertHash(caPem);
  if (got !== pin) {
    throw new Error(`the CA published by ${server} has hash ${got}, not the --ca-cert-hash given (${pin}): ` +
      'the hash is mistyped, or this is not the cluster you mean; the token was not sent. podnet join-command on the cluster\'s host prints the right one');
  }
  return caPem;
}

function clientFor(server: string, caPem: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'join', server, caData: Buffer.from(caPem).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'join', token }],
    contexts: [{ name: 'join', cluster: 'join', user: 'join' }],
    currentContext: 'join',
  });
  return kc;
}

function apiMessage(e: unknown, server: string): string {
  if (e instanceof ApiException && e.code === 401) return `the API server at ${server} refused the token (401): give the token podnet join-command prints`;
  if (e instanceof ApiException) return `the API server at ${server} answered ${e.code}: ${typeof e.body === 'string' ? e.body : JSON.stringify(e.body)}`;
  return (e as Error).message;
}

async function routeTo(ip: string, what: string): Promise<{ dev: string; src?: string; gateway?: string }> {
  try {
    const r = await routeGet(ip);
    return { dev: r.dev ?? '', src: r.prefsrc, gateway: r.gateway };
  } catch (e) {
    const why = e instanceof CommandError ? e.stderr.trim() : (e as Error).message;
    throw new Error(`this host has no route to ${what} ${ip} (${why}): the hosts must reach each other over IP`);
  }
}

/** The node's address and the link holding it. */
async function underlayOf(server: { host: string }, nodeIP: string | undefined): Promise<{ ip: string; uplink: string; cidr: string }> {
  const addrs = await listAddresses({ family: 'inet' });
  const ip = nodeIP ?? (await routeTo(server.host, 'the API server')).src;
  if (!ip) throw new Error(`the route to ${server.host} has no source address; give the Node's address with --node-ip`);
  const a = addrs.find((x) => x.local === ip);
  if (!a) throw new Error(`--node-ip ${ip} is not an address of this host (it has ${addrs.map((x) => `${x.local} on ${x.ifname}`).join(', ') || 'none'})`);
  return { ip, uplink: a.ifname, cidr: `${a.local}/${a.prefixlen}` };
}

/** The configuration of this host's one node: the cluster's settings, local paths and the server from --server. */
function joinedConfig(settings: ClusterSettings, stateDir: string, server: { host: string; port: number }, node: ClusterConfig['nodes'][0], underlayCIDR: string): ClusterConfig {
  return {
    ...settings,
    stateDir,
    underlayCIDR,
    hostIP: server.host,
    apiServerPort: server.port,
    // No bridge of ours on a joined host: the node's uplink is the host's own link.
    bridge: node.uplink ?? '',
    nodes: [node],
    paths: clusterPaths(stateDir),
  };
}

/** Joins this host as a node. On a failure after something was made, removes it again and throws. */
export async function joinCluster(opts: JoinOptions, progress: Progress): Promise<JoinResult> {
  const server = parseServer(opts.server);
  const pin = validateCaCertHash(opts.caCertHash);
  const nodeName = (opts.nodeName ?? hostname()).toLowerCase();
  if (!DNS1123_SUBDOMAIN.test(nodeName) || nodeName.length > 63) {
    throw new Error(`the node name ${JSON.stringify(nodeName)} is not a valid Node name (lower-case letters, digits, '-' and '.', at most 63 characters): give one with --name`);
  }
  const caPem = await progress.step(`Fetching cluster-info from ${server.url} and checking its CA against ${pin.slice(0, 19)}…`, () => discoverCA(server.url, pin));
  const kc = clientFor(server.url, caPem, opts.token);
  const core = kc.makeApiClient(CoreV1Api);
  const { settings, peers } = await progress.step(`Reading ${PODNET_CONFIG.namespace}/${PODNET_CONFIG.name} and the Nodes`, async () => {
    try {
      const cm = await core.readNamespacedConfigMap({ name: PODNET_CONFIG.name, namespace: PODNET_CONFIG.namespace });
      const nodes = (await core.listNode()).items;
      if (nodes.some((n) => n.metadata?.name === nodeName)) {
        throw new Error(`the cluster already has a Node named ${nodeName}: give this host another name with --name, or remove that one first (kubectl delete node ${nodeName})`);
      }
      const peers = nodes.map((n) => ({ name: n.metadata!.name!, ip: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address }))
        .filter((p): p is { name: string; ip: string } => !!p.ip);
      return { settings: parsePodnetConfig(cm.data), peers };
    } catch (e) {
      throw new Error(apiMessage(e, server.url));
    }
  });
  const underlay = await progress.step('Finding the Node\'s address and uplink', () => underlayOf(server, opts.nodeIP));
  await progress.step(`Checking the ${settings.overlay} overlay can reach the other nodes`, async () => {
    const routes: PeerRoute[] = [{ peer: 'the API server', ip: server.host, gateway: (await routeTo(server.host, 'the API server')).gateway }];
    for (const p of peers) routes.push({ peer: `node ${p.name}`, ip: p.ip, gateway: (await routeTo(p.ip, `node ${p.name}`)).gateway });
    const refusal = hostGwRefusal(settings.overlay, routes);
    if (refusal) throw new Error(refusal);
  });

  const root = opts.stateRoot ?? defaultStateRoot();
  const stateDir = stateDirOf(settings.name, root);
  mkdirSync(root, { recursive: true });
  try {
    mkdirSync(stateDir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const what = existsSync(joinRecordPath(stateDir)) ? `node ${(JSON.parse(readFileSync(joinRecordPath(stateDir), 'utf8')) as JoinRecord).node} joined it already`
      : 'podnet up made it here';
    throw new Error(`this host already has state for cluster "${settings.name}" in ${stateDir} (${what}): remove it with podnet down --name ${settings.name} first` +
      ' (a second node on the same machine needs its own PODNET_STATE_ROOT)');
  }
  const node = { name: nodeName, ip: underlay.ip, uplink: underlay.uplink, labels: { [LABEL_EXCLUDE_FROM_LB]: '' } };
  const config = joinedConfig(settings, stateDir, server, node, underlay.cidr);
  const inventory = new Inventory(stateDir);
  try {
    const configFile = clusterConfigPath(stateDir);
    await progress.step(`Writing ${stateDir}`, async () => {
      const record: JoinRecord = { server: server.url, node: nodeName };
      writeFileSync(joinRecordPath(stateDir), JSON.stringify(record) + '\n');
      mkdirSync(config.paths.logs, { recursive: true });
      mkdirSync(join(stateDir, 'pki'), { recursive: true, mode: 0o700 });
      writeFileSync(config.paths.caCert, caPem);
      writeFileSync(config.paths.token, opts.token + '\n', { mode: 0o600 });
      writeClusterKubeconfig(config);
      writeFileSync(configFile, JSON.stringify(config, null, 2) + '\n');
      // What the agent makes in this namespace, written down first so that podnet down removes it.
      inventory.add('links', CNI_BRIDGE);
      if (config.overlay === 'vxlan') inventory.add('links', VXLAN_DEVICE);
    });
    const agentName = agentProcessName(nodeName);
    const agent: ProcessIdentity = await progress.step(`Starting the agent of ${nodeName} (${underlay.ip} on ${underlay.uplink})`, () =>
      startSupervised(config, inventory, agentName, [...opts.podnetCommand, 'agent', '--config', configFile, '--node', nodeName]));
    const alive = () => mustBeAlive(agent, `the agent of ${nodeName}`, logFileOf(config, agentName));
    await progress.step(`Waiting for Node ${nodeName} to be Ready`, () =>
      waitForNodesReady(config.paths.kubeconfig, [nodeName], { timeoutMs: opts.readyTimeoutMs ?? 60_000, check: alive }));
    writeFileSync(upFinishedPath(stateDir), JSON.stringify({ at: new Date().toISOString() }) + '\n');
    return { config, node: nodeName, ip: underlay.ip, uplink: underlay.uplink };
  } catch (e) {
    progress.note(`podnet join failed: ${(e as Error).message}`);
    const kept = keepLogs(config, `join-${nodeName}`);
    if (kept) progress.note(`logs kept in ${kept}`);
    progress.note('removing what was made so far');
    const down = await tearDown(settings.name, { stateRoot: root }, progress).catch((err) => ({ failed: [(err as Error).message] }));
    for (const f of down.failed) progress.note(`  could not remove ${f}`);
    throw e;
  }
}
