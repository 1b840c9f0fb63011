// Entry point of a built-in workload process: `node dist/workloads/main.js nginx` or
// `node dist/workloads/main.js agnhost netexec --http-port=8080`. The agent starts it inside the pod.
import { runNginx } from './nginx.js';
import { runAgnhost } from './agnhost.js';
import { runDns } from './dns.js';

const [kind, ...args] = process.argv.slice(2);
switch (kind) {
  case 'nginx': runNginx(); break;
  case 'agnhost': runAgnhost(args); break;
  case 'pause': runAgnhost(['pause']); break;
  case 'dns': void runDns(args); break;
  default:
    process.stderr.write(`unknown built-in workload "${kind ?? ''}"; known: nginx, agnhost, pause, dns\n`);
    process.exit(2);
}
