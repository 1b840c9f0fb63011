// Which image runs what. podnet is a networking system, not a container runtime: an image selects a
// built-in workload (nginx, agnhost, pause, CoreDNS, the ingress-nginx controller) or names a family of shell images whose commands run from the
// host's filesystem. Anything else must give a command, or the pod fails with a reason saying so.

export type ImageKind = 'nginx' | 'agnhost' | 'pause' | 'shell' | 'dns' | 'ingress';

export interface ImageRef { registry?: string; repository: string; tag?: string; digest?: string }

/** Splits `registry.k8s.io/e2e-test-images/agnhost:2.52@sha256:...` into its parts. */
export function parseImage(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) { digest = rest.slice(at + 1); rest = rest.slice(0, at); }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) { tag = rest.slice(colon + 1); rest = rest.slice(0, colon); }
  const parts = rest.split('/');
  let registry: string | undefined;
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) registry = parts.shift();
  let repository = parts.join('/');
  if (!registry || registry === 'docker.io' || registry === 'index.docker.io') {
    if (repository.startsWith('library/')) repository = repository.slice('library/'.length);
  }
  return { registry, repository, tag, digest };
}

const SHELL_IMAGES = new Set(['busybox', 'alpine', 'curlimages/curl', 'nicolaka/netshoot', 'ubuntu', 'debian',
  'amouat/network-utils', 'praqma/network-multitool', 'wbitt/network-multitool']);

/** CoreDNS's image, under any registry and tag: selects podnet's cluster DNS server. */
export function isCorednsImage(repository: string): boolean {
  return repository === 'coredns/coredns' || repository.endsWith('/coredns/coredns') || repository === 'coredns';
}

/** ingress-nginx's controller image, under any registry and tag: selects podnet's ingress controller. */
export function isIngressNginxImage(repository: string): boolean {
  return repository === 'ingress-nginx/controller' || repository.endsWith('/ingress-nginx/controller');
}

/** The built-in workload an image selects, or undefined when podnet does not know it. */
export function imageKind(image: string): ImageKind | undefined {
  const { repository } = parseImage(image);
  const base = repository.split('/').pop()!;
  if (repository === 'nginx' || repository === 'nginxinc/nginx-unprivileged' || repository === 'bitnami/nginx') return 'nginx';
  if (base === 'agnhost') return 'agnhost';
  if (base === 'pause') return 'pause';
  if (isCorednsImage(repository)) return 'dns';
  if (isIngressNginxImage(repository)) return 'ingress';
  if (SHELL_IMAGES.has(repository)) return 'shell';
  return undefined;
}

/** Images whose defaults upstream gives as `:latest` or untagged (imagePullPolicy Always). */
export function isLatest(image: string): boolean {
  const { tag, digest } = parseImage(image);
  return !digest && (!tag || tag === 'latest');
}
