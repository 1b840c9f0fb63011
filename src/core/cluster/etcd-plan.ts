// Where the API server keeps its objects, and how `podnet up --datastore etcd` lays out the etcd members
// it runs: pure planning (names, URLs, data directories, argv), no processes. etcd's own flags are the
// ones its documentation gives for a static cluster bootstrap (--initial-cluster with every member).
import { join } from 'node:path';

export interface EtcdMember {
  /** The member's name, unique in its cluster (etcd-1, etcd-2, ...). */
  name: string;
  /** Where clients (the API servers) connect, e.g. http://127.0.0.1:40123. */
  clientURL: string;
  /** Where the other members connect. */
  peerURL: string;
  dataDir: string;
}

/** SQLite in the state directory (the default), or etcd: members podnet runs, or endpoints someone else runs. */
export type DatastoreConfig =
  | { type: 'sqlite' }
  | { type: 'etcd'; endpoints: string[]; members?: EtcdMember[] };

export const DEFAULT_ETCD_MEMBERS = 3;

/**
 * The members of a new etcd cluster on loopback, with the ports the caller found free (two per member:
 * client, peer). Loopback is enough: only the API servers on this host talk to etcd.
 */
export function planEtcdMembers(stateDir: string, ports: number[], count = DEFAULT_ETCD_MEMBERS): EtcdMember[] {
  if (!Number.isInteger(count) || count < 1 || count > 7 || count % 2 === 0) {
    throw new Error(`an etcd cluster needs an odd number of members from 1 to 7 (a majority must survive), got ${count}`);
  }
  if (ports.length < 2 * count) throw new Error(`planEtcdMembers needs ${2 * count} free ports, got ${ports.length}`);
  return Array.from({ length: count }, (_, i) => ({
    name: `etcd-${i + 1}`,
    clientURL: `http://127.0.0.1:${ports[2 * i]}`,
    peerURL: `http://127.0.0.1:${ports[2 * i + 1]}`,
    dataDir: join(stateDir, 'etcd', `etcd-${i + 1}`),
  }));
}

/** The argv that runs one member of `members`, bootstrapping a new cluster named by token. */
export function etcdArgv(member: EtcdMember, members: readonly EtcdMember[], token: string): string[] {
  return [
    'etcd', '--name', member.name, '--data-dir', member.dataDir,
    '--listen-client-urls', member.clientURL, '--advertise-client-urls', member.clientURL,
    '--listen-peer-urls', member.peerURL, '--initial-advertise-peer-urls', member.peerURL,
    '--initial-cluster', members.map((m) => `${m.name}=${m.peerURL}`).join(','),
    '--initial-cluster-token', token, '--initial-cluster-state', 'new',
    // etcd's default heartbeat (100 ms) and election timeout (1 s): a leader's death is noticed in about
    // a second, and a busy 2-core host does not make followers start needless elections.
    '--logger', 'zap', '--log-outputs', 'stderr',
  ];
}

/** Parses --datastore-endpoints: comma-separated http URLs of an etcd cluster someone else runs. */
export function parseEtcdEndpoints(text: string): string[] {
  const endpoints = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (endpoints.length === 0) throw new Error('--datastore-endpoints needs at least one URL, e.g. http://127.0.0.1:2379');
  for (const e of endpoints) {
    let url: URL;
    try { url = new URL(e); } catch { throw new Error(`--datastore-endpoints: ${JSON.stringify(e)} is not a URL; write it as http://HOST:PORT`); }
    if (url.protocol === 'https:') {
      throw new Error(`--datastore-endpoints: ${e}: etcd over TLS (client certificates) is not supported yet; give etcd's plain http client URL`);
    }
    if (url.protocol !== 'http:' || !url.port || url.pathname !== '/' || e.endsWith('/')) {
      throw new Error(`--datastore-endpoints: ${JSON.stringify(e)} must be http://HOST:PORT with no path, as etcd's client URLs are`);
    }
  }
  return endpoints;
}
