// Waiting for a cluster to come up: the API server's /readyz, then every Node registered and Ready (read
// through the Kubernetes API with @kubernetes/client-node, as any client would).
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { lookupA } from '../../linux/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET <server>/readyz with the cluster CA; resolves with the status code, rejects when unreachable. */
export function fetchReadyz(server: string, caFile: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${server}/readyz`, { ca: readFileSync(caFile), timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${server}/readyz within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface WaitOptions {
  timeoutMs: number;
  /** Called between attempts; throws to give up early (e.g. the process died). */
  check?: () => void;
}

/** Waits until /readyz answers 200. */
export async function waitForReadyz(server: string, caFile: string, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    opts.check?.();
    try {
      const code = await fetchReadyz(server, caFile, 1000);
      if (code === 200) return;
      last = `HTTP ${code}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`the API server at ${server} was not ready within ${opts.timeoutMs / 1000} s (last: ${last})`);
    await sleep(100);
  }
}

/** A Node's Ready condition status ("True", "False", "Unknown"), or undefined when it has none. */
export function nodeReady(node: V1Node): string | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

/** Lists Nodes with the cluster's kubeconfig. */
export async function listNodes(kubeconfigFile: string): Promise<V1Node[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  const api = kc.makeApiClient(CoreV1Api);
  return (await api.listNode()).items;
}

/** Waits until every named Node exists and is Ready. */
export async function waitForNodesReady(kubeconfigFile: string, names: string[], opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let missing = names;
  let last = '';
  for (;;) {
    opts.check?.();
    try {
      const nodes = await listNodes(kubeconfigFile);
      const ready = new Set(nodes.filter((n) => nodeReady(n) === 'True').map((n) => n.metadata?.name));
      missing = names.filter((n) => !ready.has(n));
      if (missing.length === 0) return;
    } catch (e) {
      last = ` (last error: ${(e as Error).message})`;
    }
    if (Date.now() > deadline) {
      throw new Error(`nodes not Ready within ${opts.timeoutMs / 1000} s: ${missing.join(', ')}${last}`);
    }
    await sleep(200);
  }
}

/**
 * Waits until cluster DNS answers `name` (kubernetes.default.svc.<domain>) from inside every node's
 * network namespace through the kube-dns ClusterIP: the CoreDNS pods are Ready, their EndpointSlice is
 * out and every node's proxy sends to them. A pod created right after `podnet up` then resolves Services
 * on its first try.
 */
export async function waitForClusterDns(nodes: string[], dnsIP: string, name: string, opts: WaitOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let waiting = nodes;
  for (;;) {
    opts.check?.();
    const answers = await Promise.all(waiting.map((n) => lookupA(n, dnsIP, name)));
    waiting = waiting.filter((_, i) => answers[i].length === 0);
    if (waiting.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`cluster DNS (${dnsIP}) did not answer ${name} within ${opts.timeoutMs / 1000} s from ${waiting.join(', ')}: see kubectl -n kube-system get pods,endpointslices -l k8s-app=kube-dns; podnet up --no-wait skips this wait`);
    }
    await sleep(100);
  }
}
