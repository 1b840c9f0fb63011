// The `ingress` built-in workload: what a container of image registry.k8s.io/ingress-nginx/controller
// (any tag) runs in podnet — podnet's ingress-nginx controller with Debian's nginx as its data plane,
// both inside the pod's namespaces (nginx is this process's child). It takes ingress-nginx's flags:
//   /nginx-ingress-controller --publish-service=$(POD_NAMESPACE)/ingress-nginx-controller
//     --controller-class=k8s.io/ingress-nginx --ingress-class=nginx [--http-port=80] [--https-port=443]
//     [--healthz-port=10254] [--enable-access-log]
// Other ingress-nginx flags are accepted and logged as not used. /healthz on --healthz-port answers 200
// once nginx serves the first configuration (the Deployment's readiness probe). API access: $KUBECONFIG
// (given by the podnet agent), else the in-cluster service account.
import { createServer } from 'node:http';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { isAlive } from '../linux/process.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeApiClient } from '../components/kube/client.js';
import { IngressController, CONTROLLER_CLASS } from '../components/ingress/controller.js';
import { signalListening } from './listening.js';
import { NginxDataplane } from '../components/ingress/nginx-dataplane.js';

export interface IngressArgs {
  publishService?: string;
  controllerClass: string;
  httpPort: number;
  httpsPort: number;
  healthzPort: number;
  accessLog: boolean;
  ignored: string[];
}

export function parseIngressArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): IngressArgs {
  const out: IngressArgs = { controllerClass: CONTROLLER_CLASS, httpPort: 80, httpsPort: 443, healthzPort: 10254, accessLog: false, ignored: [] };
  const args = argv[0] && !argv[0].startsWith('-') ? argv.slice(1) : argv; // /nginx-ingress-controller
  const port = (flag: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${flag}: "${v}" is not a port (1-65535)`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const flag = eq >= 0 ? a.slice(0, eq) : a;
    const value = () => (eq >= 0 ? a.slice(eq + 1) : args[++i] ?? '');
    switch (flag.replace(/^--?/, '')) {
      case 'publish-service': out.publishService = value().replace('$(POD_NAMESPACE)', env.POD_NAMESPACE ?? 'ingress-nginx'); break;
      case 'controller-class': out.controllerClass = value(); break;
      case 'http-port': out.httpPort = port(flag, value()); break;
      case 'https-port': out.httpsPort = port(flag, value()); break;
      case 'healthz-port': out.healthzPort = port(flag, value()); break;
      case 'enable-access-log': out.accessLog = eq < 0 || value() === 'true'; break;
      default: out.ignored.push(a);
    }
  }
  return out;
}

/** Directories of controllers that were killed (SIGKILL leaves no time to clean up): their pid is gone. */
function sweepStaleDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    const m = /^podnet-ingress-nginx-(\d+)-/.exec(name);
    if (m && Number(m[1]) !== process.pid && !isAlive(Number(m[1]))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function kubeConfig(env: NodeJS.ProcessEnv): KubeConfig {
  const kc = new KubeConfig();
  if (env.KUBECONFIG) kc.loadFromFile(env.KUBECONFIG.split(':')[0]);
  else if (env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else throw new Error('no way to reach the Kubernetes API: set KUBECONFIG, or run in a pod with a service account');
  return kc;
}

export async function runIngress(argv: string[]): Promise<void> {
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ingress-nginx: ${line}\n`);
  let args: IngressArgs;
  try { args = parseIngressArgs(argv); } catch (e) { log((e as Error).message); process.exit(2); }
  if (args.ignored.length) log(`flags not used by podnet's controller: ${args.ignored.join(' ')}`);
  sweepStaleDirs();
  const dir = mkdtempSync(join(tmpdir(), `podnet-ingress-nginx-${process.pid}-`));
  chmodSync(dir, 0o755); // nginx workers (user nobody) reach their temp directories through it
  const dataplane = new NginxDataplane({ dir, httpPort: args.httpPort, httpsPort: args.httpsPort, accessLog: args.accessLog ? '/dev/stdout' : undefined, log });
  const pod = process.env.POD_NAME ? `${process.env.POD_NAMESPACE ?? 'ingress-nginx'}/${process.env.POD_NAME}` : undefined;
  const controller = new IngressController(new KubeApiClient(kubeConfig(process.env)), dataplane, { publishService: args.publishService, controllerClass: args.controllerClass, pod, log });
  const health = createServer((req, res) => {
    const ok = controller.ready && dataplane.running;
    res.writeHead(req.url === '/healthz' ? (ok ? 200 : 503) : 404, { 'Content-Type': 'text/plain' });
    res.end(req.url === '/healthz' ? (ok ? 'ok' : 'nginx is not serving a configuration yet') : 'not found');
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    health.close();
    await controller.stop().catch(() => {});
    await dataplane.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  try {
    await dataplane.init();
    health.listen(args.healthzPort, '0.0.0.0');
    log(`watching Ingresses of controller class ${args.controllerClass}; nginx in ${dir}`);
    await controller.start();
    log('nginx serves the first configuration');
    // Like every built-in image, the container is reported started once it serves (nginx listens).
    signalListening();
    // nginx is our child: if it dies, so does the container, and the kubelet restarts it.
    void dataplane.exited?.then(() => { if (!stopping) { log('nginx exited; stopping'); void stop(1); } });
  } catch (e) {
    log(`[FATAL] ${(e as Error).stack ?? e}`);
    await stop(1);
  }
}
