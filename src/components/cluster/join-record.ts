// join.json in a state directory: this host joined a cluster whose API server runs elsewhere
// (`podnet join`). `podnet down` then also removes what the agent made in this host's own namespace
// (its nft tables; cni0 and flannel.1 are in the links inventory) and deletes the Node from the API.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, ApiException } from '@kubernetes/client-node';
import { MASQUERADE_FAMILY, MASQUERADE_TABLE } from '../../core/overlay/index.js';
import { POLICY_TABLE } from '../../core/policy/index.js';
import { DEFAULT_HOSTPORT_TABLE } from '../../core/cni/portmap-plan.js';
import { nftDeleteTable, type NftFamily } from '../../linux/nft.js';

export interface JoinRecord {
  /** The API server joined. */
  server: string;
  /** The Node this host runs. */
  node: string;
}

export function joinRecordPath(stateDir: string): string {
  return join(stateDir, 'join.json');
}

export function readJoinRecord(stateDir: string): JoinRecord | undefined {
  const file = joinRecordPath(stateDir);
  if (!existsSync(file)) return undefined;
  try { return JSON.parse(readFileSync(file, 'utf8')) as JoinRecord; } catch { return undefined; }
}

/**
 * The nft tables an agent makes in its node's namespace: the service proxy's, the overlay's masquerade,
 * NetworkPolicy's and the portmap plugin's hostPorts. In `podnet up`'s node namespaces they go with the
 * namespace; on a joined host they are in the host's own namespace and are deleted one by one.
 */
export const AGENT_NFT_TABLES: ReadonlyArray<{ family: NftFamily; name: string }> = [
  { family: 'ip', name: 'podnet' },
  { family: MASQUERADE_FAMILY as NftFamily, name: MASQUERADE_TABLE },
  { family: 'ip', name: POLICY_TABLE },
  { family: 'ip', name: DEFAULT_HOSTPORT_TABLE },
  { family: 'ip6', name: DEFAULT_HOSTPORT_TABLE },
];

/** Deletes the agent's nft tables in this namespace; returns the ones that existed. */
export async function deleteAgentTables(): Promise<string[]> {
  const deleted: string[] = [];
  for (const t of AGENT_NFT_TABLES) if (await nftDeleteTable(t.family, t.name)) deleted.push(`${t.family} ${t.name}`);
  return deleted;
}

/** Deletes the joined Node through the API (as `kubectl delete node` after kubeadm reset); false when it was gone. */
export async function deleteJoinedNode(kubeconfigFile: string, node: string, timeoutMs = 10_000): Promise<boolean> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([kc.makeApiClient(CoreV1Api).deleteNode({ name: node }), late]);
    return true;
  } catch (e) {
    if (e instanceof ApiException && e.code === 404) return false;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
