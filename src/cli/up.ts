// podnet up: bring a cluster up on this host.
import { Command, Option } from 'commander';
import { bringUp, UpFailedError } from '../components/cluster/index.js';
import { consoleProgress } from './progress.js';
import { fail, needRoot } from './errors.js';
import { podnetCommand } from './self.js';
import { parseEtcdEndpoints } from '../core/cluster/etcd-plan.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function wholeNumber(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new Error(`${flag} expects a whole number, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

/** A whole number of seconds, written 40 or 40s, as the upstream flags take durations. */
function seconds(flag: string) {
  return (value: string): number => {
    const m = /^(\d+)s?$/.exec(value.trim());
    if (!m) throw new Error(`${flag} expects whole seconds such as 40 or 40s, got ${JSON.stringify(value)}`);
    return Number(m[1]);
  };
}

function datastoreEndpoints(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  try {
    return parseEtcdEndpoints(text);
  } catch (e) {
    fail('up', e);
  }
}

/** The three --leader-elect-* flags, each defaulting to client-go's value when only some are given. */
function leaderElection(o: { leaderElectLeaseDuration?: number; leaderElectRenewDeadline?: number; leaderElectRetryPeriod?: number }) {
  if (o.leaderElectLeaseDuration === undefined && o.leaderElectRenewDeadline === undefined && o.leaderElectRetryPeriod === undefined) return undefined;
  return {
    leaseDurationSeconds: o.leaderElectLeaseDuration ?? 15, renewDeadlineSeconds: o.leaderElectRenewDeadline ?? 10, retryPeriodSeconds: o.leaderElectRetryPeriod ?? 2,
  };
}

export function upCommand(): Command {
  return new Command('up')
    .description('bring a cluster up: an API server on the host, node network namespaces on an underlay bridge, an agent per node')
    .option('--name <name>', 'cluster name', 'podnet')
    .option('--nodes <count>', 'number of nodes', wholeNumber('--nodes'), 3)
    .addOption(new Option('--overlay <mode>', 'pod network between nodes').choices(['vxlan', 'host-gw']).default('vxlan'))
    .option('--underlay-cidr <cidr>', 'subnet of the bridge joining host and nodes (default: 172.31.250.0/24, or the next free /24)')
    .option('--cluster-cidr <cidr>', 'pod network, one /24 per node (default: 10.244.0.0/16)')
    .option('--service-cidr <cidr>', 'ClusterIP range (default: 10.96.0.0/12)')
    .option('--service-node-port-range <range>', 'NodePort range (default: 30000-32767)')
    .option('--event-ttl <duration>', 'how long an Event is kept after its last update, as kube-apiserver\'s --event-ttl (default: 1h)')
    .option('--dns-upstream <ip[:port]>', 'DNS server that cluster DNS forwards other names to (default: none; podnet never sends to the host\'s resolver on its own)')
    .addOption(new Option('--datastore <kind>', 'where the API server keeps objects: sqlite (one file) or etcd (a 3-member etcd cluster on loopback)').choices(['sqlite', 'etcd']).default('sqlite'))
    .option('--datastore-endpoints <urls>', 'use an etcd cluster someone else runs: comma-separated client URLs, e.g. http://127.0.0.1:2379 (implies --datastore etcd)')
    .option('--servers <count>', 'number of API servers behind one address (default 1; more than one needs --datastore etcd); the controllers run in one of them, elected with a Lease', wholeNumber('--servers'), 1)
    .option('--leader-elect-lease-duration <seconds>', 'how long the controller manager\'s Lease lasts without renewal, as kube-controller-manager\'s flag (default: 15)', seconds('--leader-elect-lease-duration'))
    .option('--leader-elect-renew-deadline <seconds>', 'how long the leader retries renewing before it gives the controllers up (default: 10)', seconds('--leader-elect-renew-deadline'))
    .option('--leader-elect-retry-period <seconds>', 'how often candidates try and the leader renews (default: 2)', seconds('--leader-elect-retry-period'))
    .option('--node-monitor-grace-period <seconds>', 'how long a node may be silent before it is NotReady (Unknown), as kube-controller-manager\'s flag (default: 50)', seconds('--node-monitor-grace-period'))
    .option('--default-unreachable-toleration-seconds <seconds>', 'how long pods stay on an unreachable node before eviction, as kube-apiserver\'s flag (default: 300)', seconds('--default-unreachable-toleration-seconds'))
    .option('--default-not-ready-toleration-seconds <seconds>', 'the same for a node whose agent reports NotReady (default: 300)', seconds('--default-not-ready-toleration-seconds'))
    .option('--no-ingress', 'leave out the ingress-nginx controller (installed by default: IngressClass nginx, the cluster default)')
    .option('-f, --filename <path>', 'manifest file or directory to `kubectl apply -f` once the nodes are Ready (repeatable)', collect, [])
    .option('--no-wait', 'return once the nodes are Ready, without waiting until cluster DNS resolves kubernetes.default')
    .action(async (o: {
      name: string; nodes: number; overlay: 'vxlan' | 'host-gw'; underlayCidr?: string; clusterCidr?: string;
      serviceCidr?: string; serviceNodePortRange?: string; filename: string[]; dnsUpstream?: string; wait: boolean; eventTtl?: string; ingress: boolean;
      datastore: 'sqlite' | 'etcd'; datastoreEndpoints?: string; servers: number;
      leaderElectLeaseDuration?: number; leaderElectRenewDeadline?: number; leaderElectRetryPeriod?: number;
      nodeMonitorGracePeriod?: number; defaultUnreachableTolerationSeconds?: number; defaultNotReadyTolerationSeconds?: number;
    }) => {
      needRoot('up');
      const progress = consoleProgress();
      // Ctrl-C (or SIGTERM) stops the bring-up at the next step and removes what was made.
      const abort = new AbortController();
      const interrupt = () => {
        if (abort.signal.aborted) return;
        progress.note('interrupted: stopping and removing what was made');
        abort.abort();
      };
      process.on('SIGINT', interrupt);
      process.on('SIGTERM', interrupt);
      try {
        const r = await bringUp({
          signal: abort.signal,
          name: o.name, nodes: o.nodes, overlay: o.overlay, underlayCIDR: o.underlayCidr, clusterCIDR: o.clusterCidr,
          serviceCIDR: o.serviceCidr, nodePortRange: o.serviceNodePortRange, manifests: o.filename, dnsUpstream: o.dnsUpstream, ingress: o.ingress, podnetCommand: podnetCommand(), noWait: !o.wait,
          datastore: o.datastore, datastoreEndpoints: datastoreEndpoints(o.datastoreEndpoints),
          servers: o.servers, leaderElection: leaderElection(o),
          nodeMonitorGracePeriodSeconds: o.nodeMonitorGracePeriod,
          defaultUnreachableTolerationSeconds: o.defaultUnreachableTolerationSeconds,
          defaultNotReadyTolerationSeconds: o.defaultNotReadyTolerationSeconds,
          eventTTL: o.eventTtl,
        }, progress);
        const c = r.config;
        const flag = c.name === 'podnet' ? '' : ` --name ${c.name}`;
        progress.note('');
        progress.note(`Cluster "${c.name}" is up in ${progress.totalMs()} ms: ${c.nodes.length} node${c.nodes.length === 1 ? '' : 's'} (${c.nodes.map((n) => `${n.name} ${n.ip}`).join(', ')}).`);
        progress.note(`kubectl context "${r.context}" is now current in ${r.userKubeconfig}:`);
        progress.note('  kubectl get nodes -o wide');
        if (o.ingress) progress.note('Ingress: kubectl get svc -n ingress-nginx ingress-nginx-controller  (EXTERNAL-IP serves every Ingress of class nginx)');
        progress.note(`Look inside:  ip netns list;  ip -n ${c.nodes[0].name} addr;  ip link show master ${c.bridge}`);
        progress.note(`Status and logs:  podnet status${flag}   (logs in ${c.paths.logs})`);
        progress.note(`Remove it:  podnet down${flag}`);
      } catch (e) {
        if (e instanceof UpFailedError) {
          const after = e.cleanupFailed
            ? `some of what podnet up made could not be removed: run podnet down --name ${o.name}`
            : 'everything podnet up had made was removed';
          fail('up', new Error(`${e.message}\n(${after})`));
        }
        fail('up', e);
      }
    });
}
