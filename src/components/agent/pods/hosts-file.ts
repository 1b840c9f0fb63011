// A pod's /etc/hosts and hostname, as kubelet writes them (pkg/kubelet/kubelet_pods.go
// managedHostsFileContent / nodeHostsFileContent, and GeneratePodHostNameAndDomain). Fields are
// separated by a TAB; host aliases follow a blank line and a comment.
import type { V1Pod } from '@kubernetes/client-node';

/** The longest hostname the kernel accepts (HOST_NAME_MAX) and kubelet keeps. */
const MAX_HOSTNAME = 63;

/**
 * The pod's hostname and, with spec.subdomain, its domain `<subdomain>.<ns>.svc.<zone>`. The hostname is
 * spec.hostname or the pod name cut to 63 characters with trailing '-' and '.' trimmed.
 */
export function podHostnameAndDomain(pod: V1Pod, clusterDomain: string): { hostname: string; domain?: string } {
  let hostname = pod.spec?.hostname || pod.metadata?.name || '';
  if (hostname.length > MAX_HOSTNAME) hostname = hostname.slice(0, MAX_HOSTNAME).replace(/[-.]+$/, '');
  const sub = pod.spec?.subdomain;
  const domain = sub ? `${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${clusterDomain}` : undefined;
  return domain ? { hostname, domain } : { hostname };
}

function hostAliasLines(pod: V1Pod): string[] {
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length === 0) return [];
  const lines = ['', '# Entries added by HostAliases.'];
  for (const a of aliases) for (const h of a.hostnames ?? []) lines.push(`${a.ip}\t${h}`);
  return lines;
}

/** /etc/hosts of a pod with its own network namespace. */
export function managedHostsFile(pod: V1Pod, podIPs: string[], clusterDomain: string): string {
  const { hostname, domain } = podHostnameAndDomain(pod, clusterDomain);
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  for (const ip of podIPs) lines.push(domain ? `${ip}\t${hostname}.${domain}\t${hostname}` : `${ip}\t${hostname}`);
  lines.push(...hostAliasLines(pod));
  return lines.join('\n') + '\n';
}

/** /etc/hosts of a hostNetwork pod: the node's file under kubelet's header, then the host aliases. */
export function hostNetworkHostsFile(pod: V1Pod, nodeHosts: string): string {
  const body = nodeHosts.endsWith('\n') || nodeHosts === '' ? nodeHosts : nodeHosts + '\n';
  const aliases = hostAliasLines(pod);
  return `# Kubernetes-managed hosts file (host network).\n${body}${aliases.length ? aliases.join('\n') + '\n' : ''}`;
}
