// The HTTP front of the API server: routes /version, health, discovery, OpenAPI and every resource path
// to the registry, encodes JSON or Table responses, streams watches, and turns every error into a
// Kubernetes Status. Transport (TLS, listeners, upgrades) lives in server.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import {
  ApiError, badRequestError, methodNotAllowedError, pathNotFoundError, unsupportedMediaTypeError,
  internalServerError, unauthorizedError, serviceUnavailableError, successStatus, notSupported, invalid,
} from '../../core/api/errors.js';
import type { KubeObject, JsonObject } from '../../core/api/object.js';
import { type ResourceInfo, qualifiedResource, apiVersionOf, isReviewResource } from '../../core/api/resources.js';
import type { DeleteOptions, PatchType, WatchEvent } from '../../core/api/client.js';
import { printTable } from '../../core/printers/index.js';
import { Registry } from './registry.js';
import { parseApiPath, type RequestInfo } from './request-info.js';
import { readBody, parseBody, fieldValidationOf, checkUnknownFields } from './decode.js';
import { wantsTable, includeObjectOf } from './negotiate.js';
import {
  AGGREGATED_CONTENT_TYPE, aggregatedDiscovery, legacyApiVersions, legacyGroup, legacyGroupList, resourceList, wantsAggregated,
} from './discovery.js';
import { checkPatchOptions, managerOf } from './field-manager.js';
import { openapiDocument, openapiIndex, openapiV2, type Doc } from './openapi.js';
import { listOptionsFrom, writeOptionsFrom, deleteQueryOptions, podLogOptionsFrom, optionsInvalid, type ParsedListOptions, type WriteVerb } from '../../core/api/query-params.js';
import type { PodStreams } from './pod-streams.js';
import { answerReview } from './reviews.js';

export interface HandlerOptions {
  registry: Registry;
  token: string;
  /** Address clients reach the server at (host:port), for legacy discovery. */
  serverAddress: string;
  isReady: () => boolean;
  podStreams: PodStreams;
  log?: (line: string) => void;
}

const VERSION = {
  major: '1', minor: '32', gitVersion: 'v1.32.0-podnet', gitCommit: 'podnet', gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z', goVersion: 'node' + process.versions.node, compiler: 'tsc',
  platform: `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

const MAX_WATCH_BACKLOG = 16 * 1024 * 1024;

const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);
/**
 * Read without credentials, as kubeadm's RBAC lets system:anonymous get it: the CA and server URL a
 * host joining the cluster pins with --ca-cert-hash before it sends its token (core/cluster/join.ts).
 */
const PUBLIC_READS = new Set(['/api/v1/namespaces/kube-public/configmaps/cluster-info']);

function isPublic(req: IncomingMessage, path: string): boolean {
  return PUBLIC_PATHS.has(path) || (req.method === 'GET' && PUBLIC_READS.has(path));
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', warnings: string[] = []): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string | string[]> = { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private' };
  if (warnings.length) headers['Warning'] = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown, log?: (l: string) => void): void {
  let apiErr: ApiError;
  if (err instanceof ApiError) apiErr = err; // PatchError included: it carries its own Status
  else {
    log?.(`internal error: ${(err as Error)?.stack ?? err}`);
    apiErr = internalServerError((err as Error)?.message ?? String(err));
  }
  if (res.headersSent) { res.end(); return; }
  sendJson(res, apiErr.code, apiErr.status);
}

export class ApiHandler {
  constructor(private readonly opts: HandlerOptions) {}

  authorized(req: IncomingMessage): boolean {
    const auth = req.headers.authorization;
    return auth === `Bearer ${this.opts.token}`;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://podnet');
    try {
      if (!isPublic(req, url.pathname) && !this.authorized(req)) throw unauthorizedError();
      await this.route(req, res, url);
    } catch (e) {
      sendError(res, e, this.opts.log);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const accept = req.headers.accept;
    switch (path) {
      case '/version': return sendJson(res, 200, VERSION);
      case '/healthz': case '/livez': return sendText(res, 200, 'ok');
      case '/readyz':
        if (!this.opts.isReady()) throw serviceUnavailableError('[-]podnet-controllers not ready');
        return sendText(res, 200, 'ok');
      case '/api': {
        const v = wantsAggregated(accept);
        return v ? sendJson(res, 200, aggregatedDiscovery(true, v), AGGREGATED_CONTENT_TYPE.replace('v=v2', `v=${v}`))
          : sendJson(res, 200, legacyApiVersions(this.opts.serverAddress));
      }
      case '/apis': {
        const v = wantsAggregated(accept);
        return v ? sendJson(res, 200, aggregatedDiscovery(false, v), AGGREGATED_CONTENT_TYPE.replace('v=v2', `v=${v}`))
          : sendJson(res, 200, legacyGroupList());
      }
      case '/openapi/v3': return sendJson(res, 200, openapiIndex());
      case '/openapi/v2': return sendDocument(req, res, openapiV2(accept), false);
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapiDocument(path.slice('/openapi/v3/'.length));
      if (!doc) throw pathNotFoundError(path);
      return sendDocument(req, res, doc, url.searchParams.has('hash'));
    }
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'apis' && parts.length === 2) {
      const g = legacyGroup(parts[1]);
      if (!g) throw pathNotFoundError(path);
      return sendJson(res, 200, g);
    }
    const ri = parseApiPath(path);
    if (!ri) throw pathNotFoundError(path);
    if (!ri.resource) {
      const list = resourceList(ri.group, ri.version);
      if (!list) throw pathNotFoundError(path);
      return sendJson(res, 200, list);
    }
    if (!ri.info) throw pathNotFoundError(path);
    await this.resource(req, res, url, ri as RequestInfo & { info: ResourceInfo });
  }

  private async resource(req: IncomingMessage, res: ServerResponse, url: URL, ri: RequestInfo & { info: ResourceInfo }): Promise<void> {
    const { info, namespace, name, subresource } = ri;
    const q = url.searchParams;
    const resource = qualifiedResource(info);
    const method = req.method ?? 'GET';
    if (subresource && !info.subresources.includes(subresource as never)) {
      throw pathNotFoundError(url.pathname);
    }
    const warnings: string[] = [];
    // Options are decoded and validated as apimachinery does before anything runs (400 / 422 ...Options).
    const verb: WriteVerb | undefined = ({ POST: 'Create', PUT: 'Update', PATCH: 'Patch', DELETE: 'Delete' } as const)[method as 'POST'];
    const dryRun = verb ? writeOptionsFrom(q, verb).dryRun : false;
    const fieldManager = managerOf(q.get('fieldManager'), req.headers['user-agent']);
    if (info.namespaced && name && !namespace) throw pathNotFoundError(url.pathname);

    if (subresource === 'log' || subresource === 'exec' || subresource === 'attach' || subresource === 'portforward') {
      if (subresource !== 'log') throw badRequestError(`${subresource} needs an upgraded connection (WebSocket or SPDY)`);
      podLogOptionsFrom(q, name);
      const pod = await this.opts.registry.getOrThrow(resource, namespace, name!);
      return this.opts.podStreams.log(pod, url, req, res);
    }

    if (isReviewResource(info) && method !== 'POST') {
      throw methodNotAllowedError(`the server does not allow this method on the requested resource`);
    }
    switch (method) {
      case 'GET': {
        if (!name) {
          const lo = listOptionsFrom(q);
          if (lo.watch) return this.watch(req, res, info, namespace, q, lo);
          const list = await this.opts.registry.list(resource, {
            namespace, labelSelector: lo.labelSelector, fieldSelector: lo.fieldSelector,
          });
          return this.respondList(req, res, info, list.items, list.resourceVersion, q);
        }
        if (subresource === 'scale') return sendJson(res, 200, await this.opts.registry.getScale(resource, namespace, name));
        const obj = await this.opts.registry.getOrThrow(resource, namespace, name);
        return this.respondObject(req, res, info, obj, 200, q);
      }
      case 'POST': {
        const obj = await this.decodeObject(req, q, warnings);
        if (isReviewResource(info)) return sendJson(res, 201, await answerReview(info, obj, namespace, this.opts.registry));
        if (subresource === 'binding') {
          obj.metadata.name ??= name; obj.metadata.namespace ??= namespace;
          return sendJson(res, 201, await this.opts.registry.create(resource, obj, 'binding', { dryRun }));
        }
        if (name || subresource) throw methodNotAllowedError(`POST is not supported on ${url.pathname}`);
        if (info.namespaced) {
          if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
            throw badRequestError('the namespace of the provided object does not match the namespace sent on the request');
          }
          if (!namespace) throw pathNotFoundError(url.pathname);
          obj.metadata.namespace = namespace;
        }
        const created = await this.opts.registry.create(resource, obj, undefined, { dryRun, warnings, fieldManager });
        return this.respondObject(req, res, info, created, 201, q, warnings);
      }
      case 'PUT': {
        if (!name) throw methodNotAllowedError(`PUT is not supported on a collection (${url.pathname})`);
        const obj = await this.decodeObject(req, q, warnings, subresource === 'scale');
        if (subresource === 'scale') {
          return sendJson(res, 200, await this.opts.registry.updateScale(resource, namespace, name, obj, { dryRun }), 'application/json', warnings);
        }
        if (obj.metadata.name && obj.metadata.name !== name) {
          throw badRequestError(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
        }
        if (info.namespaced && obj.metadata.namespace && obj.metadata.namespace !== namespace) {
          throw badRequestError('the namespace of the provided object does not match the namespace sent on the request');
        }
        obj.metadata.name = name;
        if (info.namespaced) obj.metadata.namespace = namespace;
        const updated = await this.opts.registry.update(resource, obj, subresource as 'status' | 'finalize' | undefined, { dryRun, warnings, fieldManager });
        return this.respondObject(req, res, info, updated, 200, q, warnings);
      }
      case 'PATCH': {
        if (!name) throw methodNotAllowedError(`PATCH is not supported on a collection (${url.pathname})`);
        const type = patchTypeOf(req.headers['content-type']);
        // PatchOptions.Force is a *bool: Go's strconv.ParseBool spellings of true.
        const force = ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(q.get('force') ?? '');
        checkPatchOptions(q.get('fieldManager'), force, type === 'apply');
        const patch = type === 'apply' ? parseApplyBody(await readBody(req)) : parseBody(await readBody(req), 'application/json');
        const fieldValidation = fieldValidationOf(q.get('fieldValidation'));
        const existed = type === 'apply' && !!(await this.opts.registry.get(resource, namespace, name));
        const updated = await this.opts.registry.patch(resource, namespace, name, patch, type,
          subresource as 'status' | 'scale' | undefined, { dryRun, warnings, fieldValidation, fieldManager, force });
        return this.respondObject(req, res, info, updated, type === 'apply' && !existed ? 201 : 200, q, warnings);
      }
      case 'DELETE': {
        const opts = await this.deleteOptions(req, q);
        if (!name) return this.deleteCollection(req, res, info, namespace, q, opts, dryRun);
        const left = await this.opts.registry.delete(resource, namespace, name, opts, { dryRun });
        if (left) return this.respondObject(req, res, info, left, 200, q);
        return sendJson(res, 200, successStatus(info, name));
      }
      default:
        throw methodNotAllowedError(`the server does not allow this method on the requested resource`);
    }
  }

  private async decodeObject(req: IncomingMessage, q: URLSearchParams, warnings: string[], scale = false): Promise<KubeObject> {
    const body = parseBody(await readBody(req), req.headers['content-type']);
    if (!isObject(body)) throw badRequestError('the request body must be a JSON object');
    const obj = body as KubeObject;
    if (!isObject(obj.metadata)) obj.metadata = {};
    if (!scale) checkUnknownFields(obj, fieldValidationOf(q.get('fieldValidation')), warnings);
    return obj;
  }

  /**
   * DeleteOptions as DeleteResource reads them: from the body when there is one, else from the query
   * (never a mix), then ValidateDeleteOptions (422 DeleteOptions.meta.k8s.io).
   */
  private async deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
    const raw = await readBody(req);
    const body = raw.toString('utf8').trim() ? parseBody(raw, req.headers['content-type']) as JsonObject : undefined;
    const src = body ?? deleteQueryOptions(q);
    const opts: DeleteOptions = {};
    if (src.gracePeriodSeconds !== undefined && src.gracePeriodSeconds !== null) opts.gracePeriodSeconds = Number(src.gracePeriodSeconds);
    const policy = src.propagationPolicy ?? undefined;
    const errs = [];
    if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
      errs.push(notSupported('propagationPolicy', policy, ['Foreground', 'Background', 'Orphan', 'nil']));
    }
    if (policy !== undefined && src.orphanDependents !== undefined && src.orphanDependents !== null) {
      errs.push(invalid('propagationPolicy', policy, 'orphanDependents and deletionPropagation cannot be both set'));
    }
    if (errs.length) throw optionsInvalid('DeleteOptions', '', errs);
    if (policy) opts.propagationPolicy = policy;
    else if (src.orphanDependents === true) opts.propagationPolicy = 'Orphan';
    if (body?.preconditions) opts.preconditions = body.preconditions;
    return opts;
  }

  private async deleteCollection(req: IncomingMessage, res: ServerResponse, info: ResourceInfo, namespace: string | undefined,
    q: URLSearchParams, opts: DeleteOptions, dryRun: boolean): Promise<void> {
    const resource = qualifiedResource(info);
    const lo = listOptionsFrom(q);
    const list = await this.opts.registry.list(resource, {
      namespace, labelSelector: lo.labelSelector, fieldSelector: lo.fieldSelector,
    });
    const left: KubeObject[] = [];
    for (const o of list.items) {
      try {
        const l = await this.opts.registry.delete(resource, o.metadata.namespace, o.metadata.name!, opts, { dryRun });
        left.push(l ?? o);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return this.respondList(req, res, info, left, list.resourceVersion, q);
  }

  private respondObject(req: IncomingMessage, res: ServerResponse, info: ResourceInfo, obj: KubeObject, code: number,
    q: URLSearchParams, warnings: string[] = []): void {
    const table = wantsTable(req.headers.accept);
    if (table && obj.kind === info.kind) {
      const t = printTable(info, [obj], { now: new Date(), includeObject: includeObjectOf(q.get('includeObject')),
        version: table.version, resourceVersion: obj.metadata.resourceVersion });
      return sendJson(res, code, t, 'application/json', warnings);
    }
    sendJson(res, code, obj, 'application/json', warnings);
  }

  private respondList(req: IncomingMessage, res: ServerResponse, info: ResourceInfo, items: KubeObject[], rv: string, q: URLSearchParams): void {
    const table = wantsTable(req.headers.accept);
    if (table) {
      const t = printTable(info, items, { now: new Date(), includeObject: includeObjectOf(q.get('includeObject')),
        version: table.version, resourceVersion: rv });
      return sendJson(res, 200, t);
    }
    sendJson(res, 200, { kind: info.listKind, apiVersion: apiVersionOf(info), metadata: { resourceVersion: rv }, items });
  }

  /** A watch: one JSON event per line, Tables when asked, until the client leaves or timeoutSeconds passes. */
  private async watch(req: IncomingMessage, res: ServerResponse, info: ResourceInfo, namespace: string | undefined, q: URLSearchParams,
    lo: ParsedListOptions): Promise<void> {
    const table = wantsTable(req.headers.accept);
    const includeObject = includeObjectOf(q.get('includeObject'));
    let headerSent = false;
    let closed = false;
    const write = (e: WatchEvent) => {
      if (closed) return;
      // A client that stops reading must not make the server buffer without bound: drop it, as
      // kube-apiserver drops watchers that fall behind; it re-watches from its last resourceVersion.
      if (res.writableLength > MAX_WATCH_BACKLOG) { this.opts.log?.(`closing a watch on ${info.resource} that fell behind`); finish(); return; }
      let object: unknown = e.object;
      if (table && (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED')) {
        const t = printTable(info, [e.object as KubeObject], { now: new Date(), includeObject, version: table.version,
          resourceVersion: (e.object as KubeObject).metadata.resourceVersion });
        object = { ...t, columnDefinitions: headerSent ? [] : t.columnDefinitions };
        headerSent = true;
      }
      res.write(JSON.stringify({ type: e.type, object }) + '\n');
    };
    // Headers go out at once so clients see the watch is established before the first event.
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const finish = () => { if (closed) return; closed = true; watcher?.stop(); clearTimeout(timer); res.end(); };
    // As kube-apiserver: timeoutSeconds when given (0 or absent: a random 30-60 min, --min-request-timeout 1800).
    const timeoutSeconds = lo.timeoutSeconds || 1800 + Math.floor(Math.random() * 1800);
    const timer = setTimeout(finish, Math.max(1, timeoutSeconds) * 1000);
    req.on('close', finish);
    let watcher: { stop(): void } | undefined;
    try {
      watcher = await this.opts.registry.watch(qualifiedResource(info), {
        namespace, resourceVersion: lo.resourceVersion,
        labelSelector: lo.labelSelector, fieldSelector: lo.fieldSelector, allowWatchBookmarks: lo.allowWatchBookmarks,
      }, write, () => finish());
      if (closed) watcher.stop();
    } catch (e) {
      const status = e instanceof ApiError ? e.status : internalServerError(String((e as Error)?.message ?? e)).status;
      write({ type: 'ERROR', object: status });
      finish();
    }
  }
}

/** An OpenAPI document with its ETag; a client that already has it (If-None-Match) gets a 304. */
function sendDocument(req: IncomingMessage, res: ServerResponse, doc: Doc, immutable: boolean): void {
  const etag = `"${doc.hash}"`;
  const headers = { ETag: etag, 'Cache-Control': immutable ? 'public, immutable' : 'no-cache, private', Vary: 'Accept' };
  if (req.headers['if-none-match'] === etag) { res.writeHead(304, headers); res.end(); return; }
  res.writeHead(200, { ...headers, 'Content-Type': doc.contentType });
  res.end(doc.body);
}

/** An apply configuration: YAML (JSON is YAML too); upstream's wording when it is not. */
function parseApplyBody(body: Buffer): unknown {
  try {
    return parseYaml(body.toString('utf8'));
  } catch (e) {
    throw badRequestError(`error decoding YAML: ${(e as Error).message}`);
  }
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function patchTypeOf(contentType: string | undefined): PatchType {
  const ct = (contentType ?? '').split(';')[0].trim();
  switch (ct) {
    case 'application/strategic-merge-patch+json': return 'strategic';
    case 'application/merge-patch+json': return 'merge';
    case 'application/json-patch+json': return 'json';
    case 'application/apply-patch+yaml': return 'apply';
    default: throw unsupportedMediaTypeError(ct || 'no Content-Type');
  }
}

