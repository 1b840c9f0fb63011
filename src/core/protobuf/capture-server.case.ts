// Test-only (excluded from the build): a throwaway API server for tests that need to see exactly what
// the real kubectl sends. It answers /version, discovery and /openapi like podnet's API server,
// records every request body, keeps created objects in memory so later commands (expose, scale, label,
// delete) find them, and answers writes with the decoded object. Listens on 127.0.0.1 only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  aggregatedDiscovery, AGGREGATED_CONTENT_TYPE, legacyApiVersions, legacyGroup, legacyGroupList, resourceList, wantsAggregated,
} from '../../components/apiserver/discovery.js';
import { openapiDocument, openapiIndex, openapiV2 } from '../../components/apiserver/openapi.js';
import { decodeKubernetesProtobuf } from './decode.js';

export interface CapturedRequest {
  method: string;
  path: string;
  /** The query string, `?dryRun=All&fieldManager=...`, or ''. */
  search: string;
  contentType: string;
  body: Buffer;
  /** The body as JSON: decoded from protobuf, or parsed; undefined when empty or not JSON. */
  decoded?: unknown;
  decodeError?: string;
}

export interface CaptureServer {
  url: string;
  requests: CapturedRequest[];
  close(): Promise<void>;
}

function send(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  res.statusCode = code;
  res.setHeader('content-type', contentType);
  res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
}

function notFound(res: ServerResponse, what: string): void {
  send(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: `${what} not found` });
}

/** `/apis/apps/v1/namespaces/default/deployments/web/scale` → collection key, name and subresource. */
function objectPath(path: string): { collection: string; name?: string; sub?: string } {
  const parts = path.split('/').filter(Boolean);
  const base = parts[0] === 'api' ? 2 : 3; // api/v1 or apis/group/version
  const rest = parts.slice(base);
  const nsd = rest[0] === 'namespaces' && rest.length >= 3;
  const head = parts.slice(0, base + (nsd ? 3 : 1)).join('/');
  const tail = rest.slice(nsd ? 3 : 1);
  return { collection: head, name: tail[0], sub: tail[1] };
}

export async function startCaptureServer(): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const objects = new Map<string, Record<string, any>>();
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/version') return send(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0' });
    if (req.method === 'GET' && (path === '/api' || path === '/apis')) {
      const v = wantsAggregated(req.headers.accept);
      if (v) return send(res, 200, aggregatedDiscovery(path === '/api', v), AGGREGATED_CONTENT_TYPE.replace('v=v2', `v=${v}`));
      return send(res, 200, path === '/api' ? legacyApiVersions('127.0.0.1') : legacyGroupList());
    }
    if (req.method === 'GET' && /^\/apis\/[^/]+$/.test(path)) return send(res, 200, legacyGroup(path.split('/')[2]));
    if (req.method === 'GET' && path === '/openapi/v3') return send(res, 200, openapiIndex());
    if (req.method === 'GET' && path === '/openapi/v2') {
      const doc = openapiV2(req.headers.accept);
      return send(res, 200, doc.body, doc.contentType);
    }
    if (req.method === 'GET' && path.startsWith('/openapi/v3/')) {
      const doc = openapiDocument(path.slice('/openapi/v3/'.length));
      return doc ? send(res, 200, doc.body) : notFound(res, path);
    }
    const contentType = req.headers['content-type'] ?? '';
    const captured: CapturedRequest = { method: req.method ?? '', path, search: url.search, contentType, body };
    if (body.length > 0) {
      try {
        captured.decoded = contentType.includes('protobuf') ? decodeKubernetesProtobuf(body) : JSON.parse(body.toString('utf8'));
      } catch (e) {
        captured.decodeError = (e as Error).message;
      }
    }
    if (req.method !== 'GET') requests.push(captured);
    if (captured.decodeError) {
      return send(res, 400, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'BadRequest', code: 400, message: captured.decodeError });
    }
    if (req.method === 'GET' && /^\/api\/v1$|^\/apis\/[^/]+\/[^/]+$/.test(path)) {
      const parts = path.split('/').filter(Boolean);
      const list = resourceList(parts[0] === 'api' ? '' : parts[1], parts[parts.length - 1]);
      return list ? send(res, 200, list) : notFound(res, path);
    }
    const { collection, name, sub } = objectPath(path);
    const key = `${collection}/${name}`;
    switch (req.method) {
      case 'POST': {
        const obj = captured.decoded as Record<string, any>;
        objects.set(`${collection}/${obj?.metadata?.name}`, obj);
        return send(res, 201, obj);
      }
      case 'GET': {
        const obj = objects.get(key);
        if (!obj) return notFound(res, key);
        if (sub === 'scale') {
          return send(res, 200, { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name, namespace: obj.metadata?.namespace ?? 'default' }, spec: { replicas: obj.spec?.replicas ?? 1 }, status: { replicas: 0 } });
        }
        return send(res, 200, obj);
      }
      case 'PATCH':
      case 'PUT': {
        const obj = objects.get(key);
        if (!obj) return notFound(res, key);
        if (sub === 'scale') {
          const replicas = (captured.decoded as any)?.spec?.replicas ?? obj.spec?.replicas ?? 1;
          return send(res, 200, { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name, namespace: obj.metadata?.namespace ?? 'default' }, spec: { replicas }, status: { replicas: 0 } });
        }
        return send(res, 200, obj);
      }
      case 'DELETE': {
        const obj = objects.get(key);
        if (!obj) return notFound(res, key);
        objects.delete(key);
        return send(res, 200, obj);
      }
      default:
        return send(res, 405, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 405, reason: 'MethodNotAllowed', message: `${req.method} not allowed` });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
