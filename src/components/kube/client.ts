// ApiClient over HTTPS, for components that run outside `podnet server` (in pods, in agents): the same
// interface the in-process registry implements, so the one informer (informer.ts) and the one event
// recorder (events.ts) serve them too. Credentials come from a KubeConfig (@kubernetes/client-node
// reads kubeconfig files and in-cluster service accounts); requests are plain JSON; a watch is the
// API's stream of one JSON event per line. Failures carry the server's Status as an ApiError.
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ApiClient, DeleteOptions, ListOptions, ListResponse, PatchType, WatchEvent, WatchOptions } from '../../core/api/client.js';
import { ApiError, type Status } from '../../core/api/errors.js';
import type { KubeObject } from '../../core/api/object.js';
import { mustResource, type ResourceInfo } from '../../core/api/resources.js';

const PATCH_TYPES: Record<PatchType, string> = {
  strategic: 'application/strategic-merge-patch+json', merge: 'application/merge-patch+json', json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml', // a JSON body is YAML
};

function basePath(info: ResourceInfo, namespace: string | undefined): string {
  const root = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  return info.namespaced && namespace ? `${root}/namespaces/${encodeURIComponent(namespace)}/${info.resource}` : `${root}/${info.resource}`;
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

function statusOf(code: number, body: string): Status {
  try {
    const s = JSON.parse(body);
    if (s?.kind === 'Status') return s as Status;
  } catch { /* not JSON */ }
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, message: body.trim() || `HTTP ${code}`, reason: code === 404 ? 'NotFound' : undefined };
}

export class KubeApiClient implements ApiClient {
  private readonly server: URL;

  constructor(private readonly kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster; set its current-context');
    this.server = new URL(cluster.server);
  }

  private async options(method: string, path: string, headers: Record<string, string>): Promise<RequestOptions> {
    const opts: RequestOptions = {
      method, protocol: this.server.protocol, hostname: this.server.hostname.replace(/^\[|\]$/g, ''),
      port: this.server.port || (this.server.protocol === 'https:' ? 443 : 80), path, headers: { Accept: 'application/json', ...headers },
    };
    await this.kc.applyToHTTPSOptions(opts);
    return opts;
  }

  private async send(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<any> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const opts = await this.options(method, path, payload === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(payload)) });
    const req = (this.server.protocol === 'https:' ? httpsRequest : httpRequest)(opts);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
      req.end(payload);
    });
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if ((res.statusCode ?? 0) >= 300) throw new ApiError(statusOf(res.statusCode ?? 0, text));
    return text ? JSON.parse(text) : undefined;
  }

  async get(resource: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.send('GET', `${basePath(mustResource(resource), namespace)}/${encodeURIComponent(name)}`);
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  async list(resource: string, opts: ListOptions = {}): Promise<ListResponse> {
    const l = await this.send('GET', basePath(mustResource(resource), opts.namespace) + query({ labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector }));
    return { items: (l.items ?? []) as KubeObject[], resourceVersion: String(l.metadata?.resourceVersion ?? '') };
  }

  create(resource: string, obj: KubeObject, subresource?: 'binding'): Promise<KubeObject> {
    const info = mustResource(resource);
    const base = basePath(info, obj.metadata.namespace);
    return this.send('POST', subresource ? `${base}/${encodeURIComponent(obj.metadata.name!)}/${subresource}` : base, obj);
  }

  update(resource: string, obj: KubeObject, subresource?: 'status' | 'scale' | 'finalize'): Promise<KubeObject> {
    const path = `${basePath(mustResource(resource), obj.metadata.namespace)}/${encodeURIComponent(obj.metadata.name!)}${subresource ? `/${subresource}` : ''}`;
    return this.send('PUT', path, obj);
  }

  patch(resource: string, namespace: string | undefined, name: string, patch: unknown, type: PatchType, subresource?: 'status' | 'scale'): Promise<KubeObject> {
    // Server-side apply needs a field manager; this client's writes are the controller's own.
    const path = `${basePath(mustResource(resource), namespace)}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}${type === 'apply' ? '?fieldManager=podnet&force=true' : ''}`;
    return this.send('PATCH', path, patch, PATCH_TYPES[type]);
  }

  async delete(resource: string, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject | undefined> {
    const o = await this.send('DELETE', `${basePath(mustResource(resource), namespace)}/${encodeURIComponent(name)}`, { kind: 'DeleteOptions', apiVersion: 'v1', ...opts });
    return o?.kind === 'Status' ? undefined : (o?.metadata?.deletionTimestamp ? o : undefined);
  }

  async watch(resource: string, opts: WatchOptions, onEvent: (e: WatchEvent) => void, onClose?: (err?: Error) => void): Promise<{ stop(): void }> {
    const path = basePath(mustResource(resource), opts.namespace) + query({
      watch: 'true', labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, resourceVersion: opts.resourceVersion,
      allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined,
      timeoutSeconds: opts.timeoutSeconds ? String(opts.timeoutSeconds) : undefined,
    });
    const req = (this.server.protocol === 'https:' ? httpsRequest : httpRequest)(await this.options('GET', path, {}));
    // A server that vanished without closing the connection (host down) is noticed by TCP keepalive.
    req.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
      req.end();
    });
    if ((res.statusCode ?? 0) >= 300) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      throw new ApiError(statusOf(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
    }
    let stopped = false;
    let buffered = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line || stopped) continue;
        try { onEvent(JSON.parse(line) as WatchEvent); } catch (e) { req.destroy(e as Error); }
      }
    });
    let closed = false;
    const close = (err?: Error) => { if (closed) return; closed = true; if (!stopped) onClose?.(err); };
    res.on('end', () => close());
    res.on('error', (e) => close(e));
    req.on('error', (e) => close(e));
    return { stop: () => { stopped = true; req.destroy(); } };
  }
}
