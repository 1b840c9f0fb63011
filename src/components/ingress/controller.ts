// podnet's ingress-nginx controller: what runs in the `ingress-nginx-controller` pods. It follows
// IngressClasses, Ingresses, Services, EndpointSlices and Secrets through the Kubernetes API with the
// shared informer, keeps the Ingresses whose class names this controller (k8s.io/ingress-nginx), plans
// the route table, and has nginx serve it (NginxDataplane: nginx -t, then a graceful reload). Then it
// writes every served Ingress's status.loadBalancer from the controller Service's address (as
// ingress-nginx's --publish-service) and records Events: Sync when an Ingress is taken up, Warnings
// for what is wrong with it (missing Service, port or Secret, bad annotation), and RELOAD on the pod
// and the changed Ingresses when nginx refuses a configuration (the old one keeps serving).
import type { ApiClient } from '../../core/api/client.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import { InformerFactory, type Informer } from '../kube/informer.js';
import { EventRecorder } from '../kube/events.js';
import { ingressClassOwns, planIngressRoutes, type IngressProblem, type RouteTable } from '../../core/ingress/index.js';
import { NginxConfigError } from '../../linux/nginx.js';

export const CONTROLLER_CLASS = 'k8s.io/ingress-nginx';

/** What the controller needs from nginx (NginxDataplane; a recording fake in tests). */
export interface Dataplane {
  apply(table: RouteTable): Promise<{ changed: boolean }>;
}

export interface IngressControllerOptions {
  /** spec.controller of the IngressClasses this controller serves. */
  controllerClass?: string;
  /** `namespace/name` of the Service whose load-balancer address goes into Ingress status. */
  publishService?: string;
  /** The controller's own pod (`namespace/name`), where reload failures are recorded. */
  pod?: string;
  log?: (line: string) => void;
  /** Coalesces bursts of changes (a rollout's slice updates) into one sync. */
  coalesceMs?: number;
}

const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export class IngressController {
  private readonly factory: InformerFactory;
  private readonly classes: Informer;
  private readonly ingresses: Informer;
  private readonly services: Informer;
  private readonly slices: Informer;
  private readonly secrets: Informer;
  private readonly recorder: EventRecorder;
  private readonly log: (line: string) => void;
  private readonly controllerClass: string;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** Problems already told per Ingress, so a sync repeats no event. */
  private told = new Map<string, Set<string>>();
  /** Ingresses changed since nginx last accepted a config: they get the RELOAD warning if it refuses. */
  private changedSinceApply = new Set<string>();
  private synced = false;
  /** The route table nginx serves now. */
  table: RouteTable | undefined;
  /** Resolves every time a sync finished (tests, benchmarks). */
  onSynced?: (table: RouteTable) => void;

  constructor(private readonly client: ApiClient, private readonly dataplane: Dataplane, private readonly opts: IngressControllerOptions = {}) {
    this.log = opts.log ?? (() => {});
    this.controllerClass = opts.controllerClass ?? CONTROLLER_CLASS;
    this.factory = new InformerFactory(client, { log: this.log });
    this.classes = this.factory.informer('ingressclasses.networking.k8s.io');
    this.ingresses = this.factory.informer('ingresses.networking.k8s.io');
    this.services = this.factory.informer('services');
    this.slices = this.factory.informer('endpointslices.discovery.k8s.io');
    this.secrets = this.factory.informer('secrets', { fieldSelector: 'type=kubernetes.io/tls' });
    this.recorder = new EventRecorder(client, { component: 'nginx-ingress-controller' }, this.log);
    const changed = () => this.schedule();
    for (const inf of [this.classes, this.services, this.slices, this.secrets]) inf.on({ add: changed, update: changed, delete: changed });
    this.ingresses.on({
      add: (o) => { this.changedSinceApply.add(key(o)); this.schedule(); },
      update: (a, b) => {
        if (a.metadata.generation !== b.metadata.generation || JSON.stringify(a.metadata.annotations) !== JSON.stringify(b.metadata.annotations)) {
          this.changedSinceApply.add(key(b));
        }
        this.schedule();
      },
      delete: (o) => { this.told.delete(key(o)); this.schedule(); },
    });
  }

  /** Starts the informers and resolves once nginx serves the first configuration. */
  async start(): Promise<void> {
    await this.factory.start();
    this.synced = true;
    await this.syncNow();
  }

  get ready(): boolean { return this.table !== undefined; }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.syncing;
    await this.factory.stop();
    await this.recorder.flush();
  }

  private schedule(): void {
    if (!this.synced || this.stopped || this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; void this.syncNow(); }, this.opts.coalesceMs ?? 5);
  }

  /** Runs one sync, or queues one more behind a running one. */
  private async syncNow(): Promise<void> {
    if (this.syncing) { this.again = true; return this.syncing; }
    this.syncing = (async () => {
      do {
        this.again = false;
        try { await this.sync(); } catch (e) { this.log(`sync failed: ${(e as Error).stack ?? e}`); }
      } while (this.again && !this.stopped);
    })();
    try { await this.syncing; } finally { this.syncing = undefined; }
  }

  /** The Ingresses this controller serves. */
  owned(): KubeObject[] {
    const classes = this.classes.list();
    return this.ingresses.list().filter((i) => !i.metadata.deletionTimestamp && ingressClassOwns(i, classes, this.controllerClass));
  }

  private async sync(): Promise<void> {
    const owned = this.owned();
    const table = planIngressRoutes({
      ingresses: owned, services: this.services.list(), endpointSlices: this.slices.list(), secrets: this.secrets.list(),
    });
    const changed = [...this.changedSinceApply];
    this.changedSinceApply.clear();
    try {
      const r = await this.dataplane.apply(table);
      if (r.changed) this.log(`nginx serves ${owned.length} Ingresses, ${table.servers.length} servers`);
      this.table = table;
    } catch (e) {
      if (!(e instanceof NginxConfigError)) throw e;
      // The last good configuration keeps serving; say why on the pod and on what changed.
      const message = `Error reloading NGINX: ${e.output.trim()}; nginx keeps serving the previous configuration`;
      this.log(message);
      if (this.opts.pod) {
        const [namespace, name] = this.opts.pod.split('/');
        this.recorder.event({ kind: 'Pod', apiVersion: 'v1', namespace, name }, 'Warning', 'RELOAD', message);
      }
      for (const k of changed) {
        const ing = this.ingresses.getByKey(k);
        if (ing) this.recorder.event(ing, 'Warning', 'RELOAD', message);
      }
      for (const k of changed) this.changedSinceApply.add(k);
      return;
    }
    for (const k of changed) {
      const ing = this.ingresses.getByKey(k);
      if (ing && owned.includes(ing)) this.recorder.event(ing, 'Normal', 'Sync', 'Scheduled for sync');
    }
    this.tellProblems(owned, table.problems);
    await this.updateStatus(owned);
    this.onSynced?.(table);
  }

  private tellProblems(owned: KubeObject[], problems: IngressProblem[]): void {
    const now = new Map<string, Set<string>>();
    for (const p of problems) {
      const k = `${p.namespace}/${p.name}`;
      (now.get(k) ?? now.set(k, new Set()).get(k)!).add(`${p.type}\0${p.reason}\0${p.message}`);
    }
    for (const ing of owned) {
      const k = key(ing);
      const before = this.told.get(k) ?? new Set();
      const current = now.get(k) ?? new Set();
      for (const p of current) {
        if (before.has(p)) continue;
        const [type, reason, message] = p.split('\0');
        this.recorder.event(ing, type as 'Normal' | 'Warning', reason, message);
      }
      this.told.set(k, current);
    }
  }

  /** The controller Service's load-balancer address (ip or hostname entries), or [] before it has one. */
  private publishedAddresses(): JsonObject[] {
    if (!this.opts.publishService) return [];
    const [ns, name] = this.opts.publishService.split('/');
    const svc = this.services.get(ns, name) as JsonObject | undefined;
    const lb = (svc?.status?.loadBalancer?.ingress ?? []) as JsonObject[];
    return lb.map((e) => (e.ip ? { ip: e.ip } : { hostname: e.hostname }));
  }

  private async updateStatus(owned: KubeObject[]): Promise<void> {
    const want = this.publishedAddresses();
    const ownedKeys = new Set(owned.map(key));
    const wantText = JSON.stringify(want);
    for (const ing of this.ingresses.list()) {
      const have = ((ing as JsonObject).status?.loadBalancer?.ingress ?? []) as JsonObject[];
      const haveText = JSON.stringify(have.map((e) => (e.ip ? { ip: e.ip } : { hostname: e.hostname })));
      let next: JsonObject[] | undefined;
      if (ownedKeys.has(key(ing))) { if (want.length && haveText !== wantText) next = want; }
      else if (want.length && haveText === wantText) next = []; // no longer ours (class changed): take our address back
      if (!next) continue;
      try {
        await this.client.patch('ingresses.networking.k8s.io', ing.metadata.namespace, ing.metadata.name!,
          { status: { loadBalancer: { ingress: next } } }, 'merge', 'status');
      } catch (e) {
        this.log(`updating the status of Ingress ${key(ing)} failed: ${(e as Error).message}`);
      }
    }
  }
}
