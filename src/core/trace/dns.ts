// Name resolution as a pod does it: the stub resolver walks its resolv.conf search list (glibc: a name
// with fewer dots than `ndots` tries the search domains first, then the name as given; a name ending in
// '.' is tried alone), and each question is answered by the same planDnsAnswer cluster DNS runs. The
// first candidate with an address wins; NXDOMAIN and NODATA go on to the next.
import { ClusterIndex } from '../dns/cluster-index.js';
import { kubeadmCorefile, loadCorefile } from '../dns/config.js';
import { planDnsAnswer, type KubeContext } from '../dns/kube-records.js';
import { RRType } from '../dns/types.js';
import type { ClusterSnapshot } from './types.js';

export interface ResolvConf { servers: string[]; searches: string[]; options: string[] }

export interface DnsStep { name: string; rcode: 'NOERROR' | 'NXDOMAIN' | 'NOT-CLUSTER'; answers: string[]; cname?: string }

export interface Resolution {
  server?: string;
  steps: DnsStep[];
  /** The candidate that answered, and its first address. */
  answered?: DnsStep;
  /** Words for the reader when nothing answered. */
  why: string[];
  fix?: string;
}

/** The resolver's candidate names, in the order glibc's res_search tries them. */
export function searchCandidates(name: string, conf: ResolvConf): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const ndotsOpt = conf.options.find((o) => o.startsWith('ndots:'));
  const ndots = ndotsOpt ? Math.min(15, Number(ndotsOpt.slice(6)) || 0) : 1;
  const dots = name.split('.').length - 1;
  const searched = conf.searches.map((d) => `${name}.${d}`);
  return dots >= ndots ? [name, ...searched] : [...searched, name];
}

let cached: { snap: ClusterSnapshot; ctx: KubeContext } | undefined;

/** The kubernetes plugin's settings and index for this snapshot (built once per snapshot). */
export function dnsContext(snap: ClusterSnapshot): KubeContext {
  if (cached?.snap === snap) return cached.ctx;
  const servers = loadCorefile(snap.corefile ?? kubeadmCorefile(snap.clusterDomain));
  const cfg = servers.find((s) => s.kubernetes)?.kubernetes;
  if (!cfg) throw new Error('the cluster DNS Corefile has no kubernetes plugin: the cluster zone is not served');
  const index = new ClusterIndex();
  for (const ns of snap.namespaces) index.upsertNamespace(ns);
  for (const s of snap.services) index.upsertService(s as never);
  for (const sl of snap.endpointSlices) index.upsertEndpointSlice(sl as never);
  for (const p of snap.pods) index.upsertPod(p as never);
  index.synced = true;
  const ctx: KubeContext = { cfg, index, localIPs: [] };
  cached = { snap, ctx };
  return ctx;
}

export function resolveName(snap: ClusterSnapshot, name: string, conf: ResolvConf): Resolution {
  const ctx = dnsContext(snap);
  const steps: DnsStep[] = [];
  for (const cand of searchCandidates(name, conf)) {
    const r = planDnsAnswer(ctx, cand, RRType.A);
    if (r.kind === 'next') {
      steps.push({ name: cand, rcode: 'NOT-CLUSTER', answers: [] });
      continue;
    }
    const answers = r.answer.filter((a) => a.type === RRType.A).map((a) => String(a.data));
    const cname = r.answer.find((a) => a.type === RRType.CNAME)?.data as string | undefined;
    const step: DnsStep = { name: cand, rcode: r.rcode === 3 ? 'NXDOMAIN' : 'NOERROR', answers, cname };
    steps.push(step);
    if (answers.length) return { server: conf.servers[0], steps, answered: step, why: [] };
  }
  // Nothing answered: say why in the reader's words, and where the name does exist.
  const why: string[] = [];
  let fix: string | undefined;
  const first = name.split('.')[0];
  const homes = snap.services.filter((s) => s.metadata.name === first).map((s) => s.metadata.namespace ?? 'default');
  const asked = name.split('.')[1];
  if (homes.length && (!asked || !homes.includes(asked))) {
    why.push(`there is no Service ${first} in ${asked ? `namespace ${asked}` : 'the pod\'s namespace'}; Services named ${first} exist in: ${homes.join(', ')}`);
    fix = `use ${first}.${homes[0]} (or the full name ${first}.${homes[0]}.svc.${snap.clusterDomain})`;
  } else if (homes.length) {
    const svc = snap.services.find((s) => s.metadata.name === first && s.metadata.namespace === asked);
    if (svc?.spec?.clusterIP === 'None') {
      why.push(`Service ${asked}/${first} is headless and has no ready endpoints, so its name has no A records`);
      fix = `make a pod behind it Ready (kubectl get endpointslices -n ${asked} -l kubernetes.io/service-name=${first})`;
    }
  } else {
    why.push(`no Service, pod or namespace in the cluster zone is called ${first}`);
    fix = 'check the name (kubectl get svc -A)';
  }
  if (steps.some((s) => s.rcode === 'NOT-CLUSTER')) why.push('names outside the cluster zone are forwarded upstream, which the model does not answer');
  return { server: conf.servers[0], steps, why, fix };
}
