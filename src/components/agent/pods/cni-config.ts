// The node's CNI network configuration, written by the agent from the Node's podCIDR (as flannel's
// daemon writes 10-flannel.conflist): podnet's bridge on cni0 as the pods' default gateway, host-local
// IPAM over the podCIDR with its reservations under this node's directory (all nodes share the host's
// filesystem), and portmap for hostPort. With the vxlan overlay the pod MTU leaves room for the 50 bytes
// of VXLAN encapsulation, as flannel does.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { OverlayMode } from '../../../core/cluster/config.js';

export const NETWORK_NAME = 'podnet';
export const CNI_VERSION = '1.1.0';
/** The underlay links' MTU; VXLAN takes 50 bytes of it (outer IPv4 20 + UDP 8 + VXLAN 8 + Ethernet 14). */
export const UNDERLAY_MTU = 1500;
export const VXLAN_OVERHEAD = 50;

export interface NodeNetwork {
  podCIDR: string;
  overlay: OverlayMode;
  /** host-local's dataDir for this node. */
  ipamDataDir: string;
  /** 1.1.0 by default (GC needs it); 1.0.0 for plugins that stop there, e.g. Debian's reference plugins. */
  cniVersion?: string;
}

export function podMTU(overlay: OverlayMode): number {
  return overlay === 'vxlan' ? UNDERLAY_MTU - VXLAN_OVERHEAD : UNDERLAY_MTU;
}

export function renderConflist(n: NodeNetwork): string {
  const list = {
    cniVersion: n.cniVersion ?? CNI_VERSION,
    name: NETWORK_NAME,
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        isDefaultGateway: true,
        hairpinMode: true,
        ipMasq: false,
        mtu: podMTU(n.overlay),
        ipam: {
          type: 'host-local',
          dataDir: n.ipamDataDir,
          ranges: [[{ subnet: n.podCIDR }]],
        },
      },
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
    ],
  };
  return JSON.stringify(list, null, 2) + '\n';
}

/** Writes the conflist atomically (temp file, rename), only when it changed. Returns whether it wrote. */
export function writeConflist(path: string, n: NodeNetwork): boolean {
  const text = renderConflist(n);
  try { if (readFileSync(path, 'utf8') === text) return false; } catch { /* not there yet */ }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  return true;
}
