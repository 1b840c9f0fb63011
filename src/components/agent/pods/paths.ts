// Where a node's pod runtime keeps its files, all inside the cluster's state directory so that
// `podnet down` removes them with it:
//   <stateDir>/netns/<netns>                       the inventory record of each pod netns (podnet down deletes it)
//   <stateDir>/run/<sandbox id prefix>.sock        pod shim sockets (short paths: a unix socket path has 108 bytes)
//   <stateDir>/nodes/<node>/net.d/10-podnet.conflist  the node's CNI network configuration
//   <stateDir>/nodes/<node>/cni/results/           the libcni-style result cache
//   <stateDir>/nodes/<node>/cni/networks/          host-local reservations (per node: nodes share one filesystem)
//   <stateDir>/nodes/<node>/pods/<uid>/            sandbox.json (the pod's record), etc/ (hosts, resolv.conf, hostname)
//   <stateDir>/nodes/<node>/logs/<ns>_<name>_<uid>/<container>/<restartCount>.log   CRI logs, kubelet's layout
import { join } from 'node:path';

/** The longest path a unix socket can have (sun_path is 108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH = 107;

export class NodePaths {
  constructor(readonly stateDir: string, readonly node: string) {}

  get nodeDir(): string { return join(this.stateDir, 'nodes', this.node); }
  get netDir(): string { return join(this.nodeDir, 'net.d'); }
  get conflist(): string { return join(this.netDir, '10-podnet.conflist'); }
  get cniCacheDir(): string { return join(this.nodeDir, 'cni'); }
  get ipamDataDir(): string { return join(this.nodeDir, 'cni', 'networks'); }
  get podsDir(): string { return join(this.nodeDir, 'pods'); }
  podDir(uid: string): string { return join(this.podsDir, uid); }
  record(uid: string): string { return join(this.podDir(uid), 'sandbox.json'); }
  etcDir(uid: string): string { return join(this.podDir(uid), 'etc'); }
  shimConfig(uid: string): string { return join(this.podDir(uid), 'shim.json'); }
  shimLog(uid: string): string { return join(this.podDir(uid), 'shim.log'); }
  /** The netns inventory directory `podnet down` reads. */
  get netnsInventory(): string { return join(this.stateDir, 'netns'); }
  podLogDir(namespace: string, name: string, uid: string): string { return join(this.nodeDir, 'logs', `${namespace}_${name}_${uid}`); }
  containerLog(namespace: string, name: string, uid: string, container: string, restartCount: number): string {
    return join(this.podLogDir(namespace, name, uid), container, `${restartCount}.log`);
  }

  /** The shim socket of a sandbox; a clear error when the state directory is too deep for a socket path. */
  socket(sandboxId: string): string {
    const p = join(this.stateDir, 'run', `${sandboxId.slice(0, 16)}.sock`);
    if (Buffer.byteLength(p) > MAX_SOCKET_PATH) {
      throw new Error(`the pod shim socket path ${p} is longer than ${MAX_SOCKET_PATH} bytes: use a shorter PODNET_STATE_ROOT or cluster name`);
    }
    return p;
  }
}
