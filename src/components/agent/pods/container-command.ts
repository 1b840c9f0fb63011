// What a container runs. podnet is not a container runtime: an image selects a built-in workload (nginx,
// agnhost, pause), a shell image (busybox, alpine, curl, netshoot, ...) runs the host's tools, and any
// image runs a `command` from the host's filesystem. An image that is none of these, without a command,
// cannot run: the container waits with ErrImagePull and a message saying what podnet can run.
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Container } from '@kubernetes/client-node';
import { imageKind, parseImage } from '../../../workloads/images.js';
import { expand } from './env.js';

export type BuiltinWorkload = 'nginx' | 'agnhost' | 'pause' | 'dns' | 'ingress';

export type Launch =
  | { kind: 'builtin'; workload: BuiltinWorkload; args: string[] }
  | { kind: 'host'; argv: string[] };

/** A container whose image cannot be run: kubelet's waiting reason and message. */
export class ImageError extends Error {
  constructor(readonly reason: 'ErrImagePull' | 'InvalidImageName', message: string) {
    super(message);
    this.name = 'ImageError';
  }
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// The reference grammar of distribution/reference, enough to refuse what a registry would refuse.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?)';
const REFERENCE = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`);

/** Checks the image reference as the runtime would before pulling (InvalidImageName otherwise). */
export function validateImage(image: string | undefined): void {
  if (!image) throw new ImageError('InvalidImageName', 'Failed to apply default image tag "": couldn\'t parse image name "": invalid reference format');
  if (!REFERENCE.test(image)) {
    const why = /[A-Z]/.test(parseImage(image).repository) ? 'invalid reference format: repository name must be lowercase' : 'invalid reference format';
    throw new ImageError('InvalidImageName', `Failed to apply default image tag "${image}": couldn't parse image name "${image}": ${why}`);
  }
}

/** The image as the runtime reports it in containerStatuses[].image: docker.io/library/nginx:latest. */
export function normalizedImage(image: string): string {
  const ref = parseImage(image);
  const registry = ref.registry ?? 'docker.io';
  const repository = registry === 'docker.io' && !ref.repository.includes('/') ? `library/${ref.repository}` : ref.repository;
  return `${registry}/${repository}${ref.digest ? `@${ref.digest}` : `:${ref.tag ?? 'latest'}`}`;
}

/** Default command of a shell image when the pod gives neither command nor args (the image's CMD). */
function shellDefault(repository: string): string[] {
  if (repository === 'curlimages/curl') return ['curl'];
  if (repository === 'nicolaka/netshoot') return ['zsh'];
  if (repository === 'ubuntu' || repository === 'debian') return ['bash'];
  return ['sh'];
}

/** The image's ENTRYPOINT for shell images that have one (curlimages/curl runs curl with the args). */
function shellEntrypoint(repository: string): string[] {
  return repository === 'curlimages/curl' ? ['curl'] : [];
}

const base = (p: string | undefined) => (p ?? '').split('/').pop() ?? '';

export const SUPPORTED_IMAGES_HINT =
  'podnet runs built-in images (nginx, registry.k8s.io/e2e-test-images/agnhost, pause, registry.k8s.io/ingress-nginx/controller, and the busybox, alpine, curlimages/curl and nicolaka/netshoot shells) or a container `command` from the host\'s filesystem';

/** What the container runs, with $(VAR) references in command and args expanded from its environment. */
export function containerLaunch(container: V1Container, env: Record<string, string>): Launch {
  validateImage(container.image);
  const image = container.image!;
  const command = (container.command ?? []).map((s) => expand(s, env));
  const args = (container.args ?? []).map((s) => expand(s, env));
  const kind = imageKind(image);
  const repository = parseImage(image).repository;
  const hasCommand = container.command !== undefined && container.command.length > 0;

  switch (kind) {
    case 'nginx':
      if (!hasCommand || base(command[0]) === 'nginx') return { kind: 'builtin', workload: 'nginx', args: [] };
      return { kind: 'host', argv: [...command, ...args] };
    case 'agnhost':
      if (!hasCommand) return { kind: 'builtin', workload: 'agnhost', args: args.length ? args : ['pause'] };
      if (base(command[0]) === 'agnhost') return { kind: 'builtin', workload: 'agnhost', args: [...command.slice(1), ...args] };
      return { kind: 'host', argv: [...command, ...args] };
    case 'pause':
      if (!hasCommand || base(command[0]) === 'pause') return { kind: 'builtin', workload: 'pause', args: [] };
      return { kind: 'host', argv: [...command, ...args] };
    case 'dns':
      // The upstream image's entrypoint is /coredns; its args (-conf ...) go to podnet's DNS server.
      if (!hasCommand || base(command[0]) === 'coredns') return { kind: 'builtin', workload: 'dns', args: hasCommand ? [...command.slice(1), ...args] : args };
      return { kind: 'host', argv: [...command, ...args] };
    case 'ingress':
      // The upstream image's entrypoint is dumb-init; its args start with /nginx-ingress-controller.
      if (!hasCommand || ['nginx-ingress-controller', 'dumb-init'].includes(base(command[0]))) {
        return { kind: 'builtin', workload: 'ingress', args: [...command.filter((c) => base(c) !== 'dumb-init' && c !== '--'), ...args] };
      }
      return { kind: 'host', argv: [...command, ...args] };
    case 'shell':
      if (hasCommand) return { kind: 'host', argv: [...command, ...args] };
      if (args.length) return { kind: 'host', argv: [...shellEntrypoint(repository), ...args] };
      return { kind: 'host', argv: shellDefault(repository) };
    default:
      if (hasCommand) return { kind: 'host', argv: [...command, ...args] };
      throw new ImageError('ErrImagePull', `image "${image}" is not one podnet can run: ${SUPPORTED_IMAGES_HINT}; give the container a command, or use one of those images`);
  }
}

/**
 * Resolves argv[0] as execve via $PATH would in the container. Undefined when there is no such
 * executable (the runtime then reports StartError, exit code 128).
 */
export function resolveExecutable(file: string, path: string = DEFAULT_PATH): string | undefined {
  const executable = (p: string) => {
    try { accessSync(p, constants.X_OK); return existsSync(p); } catch { return false; }
  };
  if (file.includes('/')) return executable(file) ? file : undefined;
  for (const dir of path.split(':')) {
    if (!dir) continue;
    const p = join(dir, file);
    if (executable(p)) return p;
  }
  return undefined;
}
