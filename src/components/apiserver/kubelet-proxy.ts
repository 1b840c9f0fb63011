// Forwards the streaming pod subresources to the agent of the pod's node, as kube-apiserver forwards them
// to the kubelet: logs as a plain HTTP request, exec/attach/portforward as the client's own upgrade
// request replayed to the agent, after which bytes flow both ways untouched (WebSocket or SPDY alike).
// The agent listens on <node InternalIP>:<kubelet port> on the underlay and checks the same bearer token.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError, badRequestError } from '../../core/api/errors.js';
import type { ApiClient } from '../../core/api/client.js';
import type { JsonObject, KubeObject } from '../../core/api/object.js';
import type { PodStreams } from './pod-streams.js';

export const DEFAULT_KUBELET_PORT = 10250;

function fail(code: number, reason: string, message: string): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message });
}

export class KubeletProxy implements PodStreams {
  constructor(private readonly client: Pick<ApiClient, 'get'>, private readonly token: string) {}

  /** The agent's address for a pod: its node's InternalIP and kubelet endpoint port. */
  private async target(pod: KubeObject): Promise<{ host: string; port: number }> {
    const p = pod as JsonObject;
    const nodeName = p.spec?.nodeName;
    if (!nodeName) throw badRequestError(`pod ${pod.metadata.name} does not have a host assigned`);
    const node = await this.client.get('nodes', undefined, nodeName) as JsonObject | undefined;
    const host = node?.status?.addresses?.find((a: JsonObject) => a.type === 'InternalIP')?.address;
    if (!host) throw fail(503, 'ServiceUnavailable', `node ${nodeName} has no InternalIP; is its agent running?`);
    const port = node?.status?.daemonEndpoints?.kubeletEndpoint?.Port || DEFAULT_KUBELET_PORT;
    return { host, port };
  }

  /** The container a request is for: ?container=, else the default-container annotation, else the only one. */
  private container(pod: KubeObject, url: URL): string {
    const p = pod as JsonObject;
    const names: string[] = (p.spec?.containers ?? []).map((c: JsonObject) => c.name);
    const init: string[] = (p.spec?.initContainers ?? []).map((c: JsonObject) => c.name);
    const asked = url.searchParams.get('container');
    if (asked) {
      if (!names.includes(asked) && !init.includes(asked)) {
        throw badRequestError(`container ${asked} is not valid for pod ${pod.metadata.name}`);
      }
      return asked;
    }
    const dflt = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
    if (dflt && names.includes(dflt)) return dflt;
    if (names.length === 1) return names[0];
    throw badRequestError(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]`);
  }

  private agentPath(pod: KubeObject, sub: string, url: URL): string {
    const ns = encodeURIComponent(pod.metadata.namespace!);
    const name = encodeURIComponent(pod.metadata.name!);
    const q = new URLSearchParams(url.searchParams);
    q.delete('container');
    const query = q.toString() ? `?${q}` : '';
    if (sub === 'portforward') return `/portForward/${ns}/${name}${query}`;
    const c = encodeURIComponent(this.container(pod, url));
    if (sub === 'log') return `/containerLogs/${ns}/${name}/${c}${query}`;
    return `/${sub}/${ns}/${name}/${c}${query}`;
  }

  async log(pod: KubeObject, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { host, port } = await this.target(pod);
    const path = this.agentPath(pod, 'log', url);
    await new Promise<void>((resolve, reject) => {
      const up = httpRequest({ host, port, path, method: 'GET', headers: { authorization: `Bearer ${this.token}` } }, (ar) => {
        res.writeHead(ar.statusCode ?? 502, { 'Content-Type': ar.headers['content-type'] ?? 'text/plain', 'Transfer-Encoding': 'chunked' });
        res.flushHeaders();
        ar.pipe(res);
        ar.on('end', resolve);
        ar.on('error', resolve);
      });
      up.on('error', (e) => reject(fail(502, 'InternalError', `could not reach the agent of node ${(pod as JsonObject).spec.nodeName} at ${host}:${port}: ${e.message}`)));
      req.on('close', () => up.destroy());
      up.end();
    });
  }

  async upgrade(pod: KubeObject, sub: 'exec' | 'attach' | 'portforward', req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (sub !== 'portforward' && (pod as JsonObject).status?.phase !== 'Running') {
      throw badRequestError(`pod ${pod.metadata.name} is not running (phase ${(pod as JsonObject).status?.phase ?? 'unknown'})`);
    }
    const { host, port } = await this.target(pod);
    const url = new URL(req.url ?? '/', 'https://podnet');
    const path = this.agentPath(pod, sub, url);
    const agent = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      agent.once('connect', resolve);
      agent.once('error', (e) => reject(fail(502, 'InternalError', `could not reach the agent of node ${(pod as JsonObject).spec.nodeName} at ${host}:${port}: ${e.message}`)));
    });
    // Replay the client's upgrade request with the agent's path and our credentials.
    const lines = [`${req.method} ${path} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const k = req.rawHeaders[i];
      if (/^(host|authorization)$/i.test(k)) continue;
      lines.push(`${k}: ${req.rawHeaders[i + 1]}`);
    }
    lines.push(`Host: ${host}:${port}`, `Authorization: Bearer ${this.token}`);
    agent.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) agent.write(head);
    socket.pipe(agent);
    agent.pipe(socket);
    const close = () => { agent.destroy(); socket.destroy(); };
    socket.on('error', close);
    agent.on('error', close);
    socket.on('close', () => agent.end());
    agent.on('close', () => socket.end());
  }
}
