// The agent side of bin/podnet-cni's fast path: a unix socket on which the node agent runs CNI
// calls in-process (cniInvoke) for the compiled shim (shim.c), so a runtime's plugin call costs a
// ~1 ms client instead of a Node.js start. Only root may connect (mode 0600), and a client in
// another network namespace is sent back to run the plugin itself, because the plugin's host-side
// work happens in the namespace it runs in.
//
// Wire format: "PODNET-CNI/1\n", NUL-terminated KEY=VALUE entries (CNI_*, PODNET_CNI_PLUGIN,
// PODNET_NETNS_INO) ending with an empty entry; reply "OK\n" or "NO <reason>\n"; then the
// configuration until the client half-closes; reply "<exit code>\n<stdout>" and close.
import { chmodSync, mkdirSync, unlinkSync } from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { dirname } from 'node:path';
import { ownNetnsInode } from '../../linux/cni-netns.js';
import { cniInvoke, pluginKind } from './plugin.js';
import { ensureShim } from './shim-build.js';

const MAGIC = 'PODNET-CNI/1\n';
const MAX_HEADER = 64 * 1024;
const MAX_CONFIG = 4 * 1024 * 1024;

export interface CniServer {
  readonly path: string;
  /** Path of the compiled shim, or null (with shimError) when it could not be built. */
  readonly shim: string | null;
  readonly shimError?: string;
  /** Calls answered so far, and calls sent back to run stand-alone (another namespace). */
  readonly stats: { served: number; refused: number };
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Skip building the shim (e.g. tests that run the stand-alone plugin only). */
  buildShim?: boolean;
}

function isListening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

function handle(conn: Socket, netnsIno: number, stats: { served: number; refused: number }): void {
  let buf = Buffer.alloc(0);
  let phase: 'header' | 'config' | 'done' = 'header';
  let env: Record<string, string> = {};
  conn.on('error', () => { /* client went away */ });
  conn.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    if (phase === 'header') {
      if (buf.length > MAX_HEADER) { conn.end('NO header too large\n'); phase = 'done'; return; }
      const end = buf.indexOf('\0\0');
      if (end < 0) return;
      const text = buf.subarray(0, end + 1).toString();
      buf = buf.subarray(end + 2);
      if (!text.startsWith(MAGIC)) { conn.end('NO bad protocol\n'); phase = 'done'; return; }
      env = {};
      for (const entry of text.slice(MAGIC.length).split('\0')) {
        const eq = entry.indexOf('=');
        if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
      }
      if (env.PODNET_NETNS_INO !== String(netnsIno)) {
        stats.refused++;
        conn.end('NO the agent serves another network namespace\n');
        phase = 'done';
        return;
      }
      phase = 'config';
      conn.write('OK\n');
    }
    if (phase === 'config' && buf.length > MAX_CONFIG) { conn.end('999\n'); phase = 'done'; }
  });
  conn.on('end', () => {
    if (phase !== 'config') return;
    phase = 'done';
    const plugin = env.PODNET_CNI_PLUGIN;
    const opts = { plugin: pluginKind(plugin) && plugin !== 'podnet-cni' ? plugin : undefined };
    void cniInvoke(env, buf.toString(), opts).then((out) => {
      stats.served++;
      conn.end(`${out.exitCode}\n${out.stdout}`);
    });
  });
}

/**
 * Serves CNI calls on `socketPath` (e.g. /run/podnet/<node>/cni.sock) from this process, which
 * must run in the node's network namespace. Also builds the shim (unless buildShim is false).
 */
export async function serveCni(socketPath: string, opts: ServeOptions = {}): Promise<CniServer> {
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o755 });
  if (await isListening(socketPath)) {
    throw new Error(`another process already serves CNI calls on ${socketPath}; stop it or choose another socket path`);
  }
  try { unlinkSync(socketPath); } catch { /* no stale socket */ }
  const shim = opts.buildShim === false ? { path: null, reason: 'not built (buildShim: false)' } : await ensureShim();
  const ino = ownNetnsInode();
  const stats = { served: 0, refused: 0 };
  // allowHalfOpen: the client half-closes after the configuration and still reads the answer.
  const server: Server = createServer({ allowHalfOpen: true }, (conn) => handle(conn, ino, stats));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => { server.off('error', reject); resolve(); });
  });
  chmodSync(socketPath, 0o600);
  return {
    path: socketPath,
    shim: shim.path,
    ...(shim.reason ? { shimError: shim.reason } : {}),
    stats,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      try { unlinkSync(socketPath); } catch { /* gone */ }
    }),
  };
}
