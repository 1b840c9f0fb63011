// The `kubernetes` Service in `default` and its Endpoints and EndpointSlice, as kube-apiserver's
// bootstrap controller and endpoint reconciler keep them: ClusterIP = the first address of the service
// CIDR (10.96.0.1), port 443 named https to the API server's port, no selector (so the EndpointSlice
// controller leaves it alone), and one endpoint: the API server's address on the underlay. Reconciled at
// start, whenever one of the three objects changes, and every 10 seconds, so a deleted or edited
// object comes back.
import { isDeepStrictEqual } from 'node:util';
import { isApiError } from '../../core/api/errors.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import { CIDR } from '../../core/net/index.js';
import { type Controller, type ControllerContext } from './context.js';
import { WorkQueue } from './workqueue.js';

const NAME = 'kubernetes';
const NAMESPACE = 'default';
const RESYNC_MS = 10_000;

export type KubernetesServiceConfig = Pick<ClusterConfig, 'serviceCIDR' | 'hostIP' | 'apiServerPort'>;

export function desiredKubernetesObjects(config: KubernetesServiceConfig): { service: KubeObject; endpoints: KubeObject; slice: KubeObject } {
  const clusterIP = CIDR.parse(config.serviceCIDR).nth(1);
  const family = clusterIP.includes(':') ? 'IPv6' : 'IPv4';
  const port = { name: 'https', port: config.apiServerPort, protocol: 'TCP' };
  return {
    service: {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: NAME, namespace: NAMESPACE, labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: {
        type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ipFamilies: [family], ipFamilyPolicy: 'SingleStack',
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: config.apiServerPort }],
        sessionAffinity: 'None', internalTrafficPolicy: 'Cluster',
      },
    },
    endpoints: {
      apiVersion: 'v1', kind: 'Endpoints',
      metadata: { name: NAME, namespace: NAMESPACE, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: config.hostIP }], ports: [port] }],
    },
    slice: {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: NAME, namespace: NAMESPACE, labels: { 'kubernetes.io/service-name': NAME } },
      addressType: family,
      endpoints: [{ addresses: [config.hostIP], conditions: { ready: true } }],
      ports: [port],
    },
  };
}

export class KubernetesServiceController implements Controller {
  readonly name = 'kubernetes-service-controller';
  private readonly queue: WorkQueue;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: ControllerContext, private readonly config: KubernetesServiceConfig) {
    this.queue = new WorkQueue(this.name, () => this.reconcile(), { log: ctx.log });
    for (const resource of ['services', 'endpoints', 'endpointslices.discovery.k8s.io']) {
      const inf = ctx.informers.informer(resource, { namespace: NAMESPACE, fieldSelector: `metadata.name=${NAME}` });
      inf.on({ update: () => this.queue.add(NAME), delete: () => this.queue.add(NAME) });
    }
  }

  /** Reconciles once (so `kubectl get svc` right after start shows it), then keeps it reconciled. */
  async start(): Promise<void> {
    try { await this.reconcile(); } catch (e) {
      this.ctx.log(`${this.name}: ${(e as Error).message}; retrying`);
      this.queue.add(NAME);
    }
    this.queue.start();
    this.timer = setInterval(() => this.queue.add(NAME), RESYNC_MS);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.queue.stop();
  }

  idle(): Promise<void> { return this.queue.idle(); }

  async reconcile(): Promise<void> {
    const want = desiredKubernetesObjects(this.config);
    await this.ensure('services', want.service, (cur, w) => {
      // Only the ports are put back; the ClusterIP is immutable (a changed service CIDR needs a new cluster).
      const c = cur as JsonObject, d = w as JsonObject;
      if (c.spec.clusterIP !== d.spec.clusterIP) {
        this.ctx.log(`${this.name}: the kubernetes Service has ClusterIP ${c.spec.clusterIP}, not ${d.spec.clusterIP} from serviceCIDR ${this.config.serviceCIDR}`);
      }
      if (isDeepStrictEqual(c.spec.ports, d.spec.ports) && c.spec.type === 'ClusterIP' && !c.spec.selector) return undefined;
      const next = structuredClone(c);
      next.spec.type = 'ClusterIP';
      next.spec.ports = d.spec.ports;
      delete next.spec.selector;
      return next as KubeObject;
    });
    await this.ensure('endpoints', want.endpoints, (cur, w) =>
      isDeepStrictEqual((cur as JsonObject).subsets, (w as JsonObject).subsets) ? undefined : { ...cur, subsets: (w as JsonObject).subsets } as KubeObject);
    await this.ensure('endpointslices.discovery.k8s.io', want.slice, (cur, w) => {
      const c = cur as JsonObject, d = w as JsonObject;
      const same = c.addressType === d.addressType && isDeepStrictEqual(c.endpoints, d.endpoints) && isDeepStrictEqual(c.ports, d.ports) &&
        c.metadata.labels?.['kubernetes.io/service-name'] === NAME;
      if (same) return undefined;
      const next = structuredClone(c);
      next.metadata.labels = { ...(c.metadata.labels ?? {}), ...d.metadata.labels };
      Object.assign(next, { addressType: d.addressType, endpoints: d.endpoints, ports: d.ports });
      return next as KubeObject;
    });
  }

  /** Creates the object if missing; otherwise applies fix (undefined: already right). */
  private async ensure(resource: string, want: KubeObject, fix: (cur: KubeObject, want: KubeObject) => KubeObject | undefined): Promise<void> {
    const cur = await this.ctx.client.get(resource, NAMESPACE, NAME);
    if (!cur) {
      try {
        await this.ctx.client.create(resource, want);
      } catch (e) {
        if (!isApiError(e, 'AlreadyExists')) throw e;
      }
      return;
    }
    const next = fix(cur, want);
    if (next) await this.ctx.client.update(resource, next);
  }
}
