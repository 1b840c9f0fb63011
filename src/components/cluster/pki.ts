// The cluster's PKI, made with the openssl CLI: an ECDSA P-256 CA and a serving certificate for the API
// server whose SANs cover every name clients use (127.0.0.1 from the host, the underlay host IP from
// the nodes, the `kubernetes` Service's ClusterIP and its DNS names from pods), plus a bearer token.
import { chmodSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { run, CommandError } from '../../linux/exec.js';
import type { ClusterConfig } from '../../core/cluster/config.js';
import { apiServiceIP } from '../../core/topology/plan.js';

const CA_DAYS = '3650';
const SERVER_DAYS = '825';

/** The subjectAltName list of the serving certificate, as openssl's extension syntax. */
export function serverSubjectAltNames(config: ClusterConfig): string[] {
  const dns = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${config.clusterDomain}`];
  return [`IP:127.0.0.1`, `IP:${config.hostIP}`, `IP:${apiServiceIP(config)}`, ...dns.map((d) => `DNS:${d}`)];
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run(['openssl', ...args]);
  } catch (e) {
    if (e instanceof CommandError && e.exitCode === null) {
      throw new Error(`openssl is not installed (${e.stderr}); install it (apt-get install -y openssl, or \`make install\`) and retry`);
    }
    throw e;
  }
}

/** Writes CA, serving key pair and token to config.paths; keys and token readable by root only. */
export async function generatePki(config: ClusterConfig): Promise<void> {
  const p = config.paths;
  const dir = dirname(p.caCert);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', p.caKey]);
  await openssl(['req', '-x509', '-new', '-key', p.caKey, '-sha256', '-days', CA_DAYS,
    '-subj', `/CN=podnet-${config.name}-ca`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,digitalSignature,keyCertSign,cRLSign',
    '-out', p.caCert]);
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', p.serverKey]);
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'server.ext');
  await openssl(['req', '-new', '-key', p.serverKey, '-subj', '/CN=kube-apiserver', '-out', csr]);
  writeFileSync(ext, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    `subjectAltName=${serverSubjectAltNames(config).join(',')}`,
    '',
  ].join('\n'));
  await openssl(['x509', '-req', '-in', csr, '-CA', p.caCert, '-CAkey', p.caKey, '-sha256', '-days', SERVER_DAYS,
    '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-extfile', ext, '-out', p.serverCert]);
  rmSync(csr, { force: true });
  rmSync(ext, { force: true });
  writeFileSync(p.token, randomBytes(32).toString('base64url') + '\n', { mode: 0o600 });
  chmodSync(p.caKey, 0o600);
  chmodSync(p.serverKey, 0o600);
}

/**
 * A self-signed ECDSA P-256 certificate and its key in one PEM file (certificate first), as nginx's
 * ssl_certificate/ssl_certificate_key accept: the ingress controller's default certificate, which
 * ingress-nginx calls "Kubernetes Ingress Controller Fake Certificate".
 */
export async function generateSelfSignedPem(pemPath: string, commonName: string, days = 365): Promise<void> {
  const dir = dirname(pemPath);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = join(dir, '.self-signed.key'), crt = join(dir, '.self-signed.crt');
  try {
    await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    await openssl(['req', '-x509', '-new', '-key', key, '-sha256', '-days', String(days), '-subj', `/O=Acme Co/CN=${commonName}`,
      '-addext', `subjectAltName=DNS:ingress.local`, '-out', crt]);
    writeFileSync(pemPath, readFileSync(crt, 'utf8') + readFileSync(key, 'utf8'), { mode: 0o600 });
  } finally {
    rmSync(key, { force: true });
    rmSync(crt, { force: true });
  }
}
