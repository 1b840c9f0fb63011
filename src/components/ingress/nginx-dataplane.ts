// The controller's data plane: one nginx master per controller pod, configured through files in the
// pod's own directory. apply() never leaves nginx without a valid configuration: the new text is written
// beside the live one, checked with `nginx -t`, and only then renamed over it and loaded (SIGHUP: new
// workers take new connections, old workers finish the requests they hold, no connection is dropped).
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNginx, testNginxConfig, type NginxProcess } from '../../linux/nginx.js';
import { generateSelfSignedPem } from '../cluster/pki.js';
import { certificateFileName, renderNginxConf, type NginxLayout, type RouteTable } from '../../core/ingress/index.js';

export interface NginxDataplaneOptions {
  dir: string;
  httpPort?: number;
  httpsPort?: number;
  accessLog?: string;
  workerProcesses?: number | 'auto';
  binary?: string;
  log?: (line: string) => void;
}

export type ApplyResult = { changed: false } | { changed: true; reloaded: boolean };

export class NginxDataplane {
  private nginx: NginxProcess | undefined;
  private lastText = '';
  private readonly conf: string;
  private readonly defaultPem: string;
  private readonly certDir: string;

  constructor(private readonly opts: NginxDataplaneOptions) {
    this.conf = join(opts.dir, 'nginx.conf');
    this.certDir = join(opts.dir, 'certs');
    this.defaultPem = join(this.certDir, 'default-fake-certificate.pem');
  }

  get running(): boolean { return this.nginx !== undefined; }
  get exited(): Promise<number | null> | undefined { return this.nginx?.exited; }

  async init(): Promise<void> {
    mkdirSync(this.certDir, { recursive: true, mode: 0o700 });
    if (!existsSync(this.defaultPem)) await generateSelfSignedPem(this.defaultPem, 'Kubernetes Ingress Controller Fake Certificate');
  }

  private layout(table: RouteTable, names: Map<string, string>): NginxLayout {
    return {
      dir: this.opts.dir, defaultCertificate: this.defaultPem, certificateFile: (s) => join(this.certDir, names.get(s)!),
      httpPort: this.opts.httpPort, httpsPort: this.opts.httpsPort, accessLog: this.opts.accessLog, workerProcesses: this.opts.workerProcesses,
    };
  }

  /** Makes nginx serve `table`; throws NginxConfigError (and keeps the running config) when nginx refuses it. */
  async apply(table: RouteTable): Promise<ApplyResult> {
    const names = new Map<string, string>();
    for (const [secret, c] of table.certificates) {
      const name = certificateFileName(secret, c.crt, c.key);
      names.set(secret, name);
      const file = join(this.certDir, name);
      if (!existsSync(file)) writeFileSync(file, c.crt.trimEnd() + '\n' + c.key, { mode: 0o600 });
    }
    const text = renderNginxConf(table, this.layout(table, names));
    if (text === this.lastText && this.nginx) return { changed: false };
    const next = `${this.conf}.next`;
    writeFileSync(next, text);
    await testNginxConfig(next, this.opts.dir, this.opts.binary);
    renameSync(next, this.conf);
    this.lastText = text;
    let reloaded = false;
    if (this.nginx) { await this.nginx.reload(); reloaded = true; } else {
      this.nginx = await startNginx(this.conf, this.opts.dir, this.opts.binary);
      void this.nginx.exited.then((code) => { this.opts.log?.(`nginx master exited (code ${code})`); });
    }
    // Files of Secrets no longer served go once nginx has the config that no longer names them.
    const keep = new Set([...names.values(), 'default-fake-certificate.pem']);
    for (const f of readdirSync(this.certDir)) if (!keep.has(f) && f.endsWith('.pem')) rmSync(join(this.certDir, f), { force: true });
    return { changed: true, reloaded };
  }

  async stop(): Promise<void> {
    await this.nginx?.stop();
    this.nginx = undefined;
  }
}
