// Entry point of a built-in workload process: `node dist/workloads/main.js nginx` or
// `node dist/workloads/main.js agnhost netexec --http-port=8080`. The agent starts it inside the pod.
// Each workload is loaded on its own: nginx and agnhost must not pay for loading the DNS server (and the
// Kubernetes client it uses) before they listen.
const [kind, ...args] = process.argv.slice(2);
switch (kind) {
  case 'nginx': (await import('./nginx.js')).runNginx(); break;
  case 'agnhost': (await import('./agnhost.js')).runAgnhost(args); break;
  case 'pause': (await import('./agnhost.js')).runAgnhost(['pause']); break;
  case 'dns': void (await import('./dns.js')).runDns(args); break;
  case 'ingress': void (await import('./ingress.js')).runIngress(args); break;
  default:
    process.stderr.write(`unknown built-in workload "${kind ?? ''}"; known: nginx, agnhost, pause, dns, ingress\n`);
    process.exit(2);
}
export {};
