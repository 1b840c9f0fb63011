// Addons `podnet up` installs once the API answers, as kubeadm's addon phase does: cluster DNS (the
// coredns ConfigMap, the Deployment of 2 replicas, the kube-dns Service at the cluster's DNS IP), and
// the ingress-nginx controller (unless `podnet up --no-ingress`). They are
// created through the API with the cluster's own credentials, so `up` needs no kubectl for them.
// One deliberate change to kubeadm's Corefile: `forward . /etc/resolv.conf` would send every name outside
// the cluster (and the loop plugin's probe) to the host's own resolver. podnet sends traffic only to its
// own namespaces, so the forward goes to the upstream given with `podnet up --dns-upstream`, or is left
// out: names outside the cluster then get SERVFAIL, and `kubectl edit cm coredns -n kube-system` can add it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KubeConfig, KubernetesObjectApi, ApiException, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { ClusterConfig } from '../../core/cluster/config.js';

export const DNS_ADDON = fileURLToPath(new URL('../../../addons/coredns.yaml', import.meta.url));
/** The ingress-nginx controller: namespace, Deployment, LoadBalancer Service and default IngressClass `nginx`. */
export const INGRESS_ADDON = fileURLToPath(new URL('../../../addons/ingress-nginx.yaml', import.meta.url));

export interface AddonOptions { dnsUpstream?: string }

const HOST_FORWARD = /^( *)forward \. \/etc\/resolv\.conf \{\n(?:.*\n)*?\1\}\n/m;

/** The objects of a manifest, with the cluster's DNS IP and domain, and the forward as options say. */
export function addonObjects(path: string, config: ClusterConfig, opts: AddonOptions = {}): KubernetesObject[] {
  let text = readFileSync(path, 'utf8').replaceAll('10.96.0.10', config.dnsServiceIP).replaceAll('cluster.local', config.clusterDomain);
  text = text.replace(HOST_FORWARD, (block, indent: string) => (opts.dnsUpstream ? block.replace('/etc/resolv.conf', opts.dnsUpstream) : `${indent}# forward: none (podnet up --dns-upstream sets one)\n`));
  return parseAllDocuments(text).map((d) => d.toJSON()).filter((o): o is KubernetesObject => !!o && typeof o === 'object');
}

/** Creates each object unless it exists already (a restarted `up` or a user's own copy wins). */
export async function installAddon(path: string, config: ClusterConfig, opts: AddonOptions = {}): Promise<string[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(config.paths.kubeconfig);
  const api = KubernetesObjectApi.makeApiClient(kc);
  const done: string[] = [];
  for (const obj of addonObjects(path, config, opts)) {
    const what = `${obj.kind!.toLowerCase()}/${obj.metadata!.name}`;
    try {
      await api.create(obj);
      done.push(`${what} created`);
    } catch (e) {
      if (!(e instanceof ApiException && e.code === 409)) throw new Error(`creating ${what} from ${path} failed: ${(e as Error).message}`);
      done.push(`${what} exists`);
    }
  }
  return done;
}
