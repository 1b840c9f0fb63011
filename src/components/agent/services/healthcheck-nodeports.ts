// healthCheckNodePort servers (kube-proxy's ServiceHealthServer): every LoadBalancer Service with
// externalTrafficPolicy Local gets an HTTP server on its spec.healthCheckNodePort on each node. It tells
// a load balancer whether this node can take the Service's traffic: 200 with the number of ready local
// endpoints when there is at least one (and the proxy itself is healthy), 503 otherwise, because a node
// without local endpoints drops that traffic (only serving-terminating local endpoints also give 503,
// KEP-1669, while the rules still forward to them).
import { createServer, type Server } from 'node:http';
import { isProxied, type EndpointSlice, type Service } from '../../../core/proxy/index.js';
import { endpointState, slicesByService } from '../../../core/endpoints/slice-endpoints.js';

export interface HealthCheckTarget {
  namespace: string;
  name: string;
  port: number;
  /** Distinct ready endpoint addresses on this node (kube-proxy's LocalReadyEndpoints). */
  localEndpoints: number;
}

/** apiservice.NeedsHealthCheck: type LoadBalancer with externalTrafficPolicy Local. */
export function needsHealthCheck(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local';
}

/** The health check servers this node should run, keyed `namespace/name`. */
export function healthCheckTargets(services: readonly Service[], slices: readonly EndpointSlice[], nodeName: string): Map<string, HealthCheckTarget> {
  const local = new Map<string, Set<string>>();
  for (const [key, svcSlices] of slicesByService(slices)) {
    for (const s of svcSlices) {
      if (s.addressType !== 'IPv4') continue;
      for (const ep of s.endpoints ?? []) {
        const ip = ep.addresses?.[0];
        if (!ip || ep.nodeName !== nodeName || !endpointState(ep).ready) continue;
        let set = local.get(key);
        if (!set) local.set(key, set = new Set());
        set.add(ip);
      }
    }
  }
  const out = new Map<string, HealthCheckTarget>();
  for (const svc of services) {
    const port = Number(svc.spec?.healthCheckNodePort ?? 0);
    if (!needsHealthCheck(svc) || !isProxied(svc) || !Number.isInteger(port) || port <= 0 || port > 65535) continue;
    const namespace = svc.metadata.namespace ?? 'default', name = svc.metadata.name ?? '';
    const key = `${namespace}/${name}`;
    out.set(key, { namespace, name, port, localEndpoints: local.get(key)?.size ?? 0 });
  }
  return out;
}

/** The body kube-proxy answers with (tab-indented JSON). */
export function healthCheckBody(t: HealthCheckTarget, proxyHealthy: boolean): string {
  return JSON.stringify({ service: { namespace: t.namespace, name: t.name }, localEndpoints: t.localEndpoints, serviceProxyHealthy: proxyHealthy }, null, '\t');
}

interface Instance { target: HealthCheckTarget; server: Server }

export class HealthCheckNodePorts {
  private readonly instances = new Map<string, Instance>();

  constructor(private readonly opts: { host: string; proxyHealthy: () => boolean; log: (line: string) => void }) {}

  /** Opens servers for new targets, closes those no longer wanted (or moved port), updates the counts. */
  async sync(targets: Map<string, HealthCheckTarget>): Promise<void> {
    for (const [key, inst] of [...this.instances]) {
      const t = targets.get(key);
      if (!t || t.port !== inst.target.port) {
        this.instances.delete(key);
        await close(inst.server);
        this.opts.log(`closed healthCheckNodePort ${inst.target.port} of Service ${key}`);
      }
    }
    for (const [key, t] of targets) {
      const inst = this.instances.get(key);
      if (inst) { inst.target = t; continue; }
      try {
        const server = await this.listen(key, t.port);
        this.instances.set(key, { target: t, server });
        this.opts.log(`serving healthCheckNodePort ${this.opts.host}:${t.port} of Service ${key}`);
      } catch (e) {
        // Tried again on the next sync, as kube-proxy does (it also records a Warning event).
        this.opts.log(`node failed to start healthcheck "${key}" on port ${t.port}: ${(e as Error).message}`);
      }
    }
  }

  /** The ports served now, by Service key. */
  ports(): Map<string, number> {
    return new Map([...this.instances].map(([k, i]) => [k, i.target.port]));
  }

  async stop(): Promise<void> {
    const all = [...this.instances.values()];
    this.instances.clear();
    await Promise.all(all.map((i) => close(i.server)));
  }

  private listen(key: string, port: number): Promise<Server> {
    const server = createServer((_req, res) => {
      const inst = this.instances.get(key);
      if (!inst) { res.writeHead(503); res.end(); return; }
      const healthy = this.opts.proxyHealthy();
      const ok = inst.target.localEndpoints > 0 && healthy;
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
      res.end(healthCheckBody(inst.target, healthy));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.host, () => { server.off('error', reject); resolve(server); });
    });
  }
}

function close(s: Server): Promise<void> {
  s.closeAllConnections();
  return new Promise((resolve) => s.close(() => resolve()));
}
