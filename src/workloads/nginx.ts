// The built-in `nginx` workload: nginx's default server — its welcome page at /, 404 pages like nginx's
// elsewhere, on port 80 (or $NGINX_PORT), answering HEAD and GET, logging requests in nginx's combined format.
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { signalListening } from './listening.js';

const WELCOME = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const NOT_FOUND = `<html>
<head><title>404 Not Found</title></head>
<body>
<center><h1>404 Not Found</h1></center>
<hr><center>nginx</center>
</body>
</html>
`;

export function runNginx(port = Number(process.env.NGINX_PORT ?? 80)): void {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const ok = path === '/' || path === '/index.html';
    const body = ok ? WELCOME : NOT_FOUND;
    res.writeHead(ok ? 200 : 404, { 'Content-Type': 'text/html', Server: 'nginx', 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
    const now = new Date().toUTCString();
    process.stdout.write(`${req.socket.remoteAddress} - - [${now}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${res.statusCode} ${Buffer.byteLength(body)} "-" "${req.headers['user-agent'] ?? '-'}"\n`);
  });
  server.listen(port, '0.0.0.0', () => {
    process.stdout.write(`nginx (podnet built-in) on ${hostname()} listening on port ${port}\n`);
    signalListening();
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGQUIT', stop);
}
