// The one address of several API servers (`podnet up --servers N`): kubectl and the agents keep using
// https://127.0.0.1:<apiServerPort> and https://<hostIP>:<apiServerPort>, and nftables in the host's
// namespace sends each new connection to one live server, chosen at random (numgen), as kube-proxy
// balances a Service. `redirect` keeps the address family simple: a connection to 127.0.0.1 goes to
// 127.0.0.1:<server port>, one arriving on the underlay bridge to the bridge's own address (hostIP),
// where each server also listens. Only the live servers are in the map (apiserver/vip-keeper.ts keeps it
// so), so a killed server stops getting connections within a probe interval; conntrack keeps existing
// connections where they are.
import { parseIP } from '../net/index.js';

/** The table in the host's namespace: one per cluster. */
export function apiServerVipTable(cluster: string): string {
  return `podnet-api-${cluster}`;
}

export interface ApiServerVip {
  table: string;
  /** The addresses clients connect to: 127.0.0.1 and hostIP. */
  addresses: string[];
  /** The port clients connect to (ClusterConfig.apiServerPort). */
  port: number;
  /** The ports of the live servers; empty: connections are refused, as with no server at all. */
  backends: number[];
}

const port = (p: number) => {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`API server VIP: ${p} is not a TCP port`);
  return p;
};

/** The nft script that replaces the table in one transaction. */
export function renderApiServerVip(v: ApiServerVip): string {
  const addrs = v.addresses.map((a) => { parseIP(a); return a; }).join(', ');
  const backends = [...new Set(v.backends.map(port))].sort((a, b) => a - b);
  const rule = `ip daddr { ${addrs} } tcp dport ${port(v.port)} redirect to :numgen random mod ${backends.length} map { ${backends.map((b, i) => `${i} : ${b}`).join(', ')} }`;
  // No live server: no rule, and the kernel refuses the connection (nothing listens on the port itself).
  const chains = backends.length === 0 ? [] : [
    `  chain output {`, `    type nat hook output priority -100; policy accept;`, `    ${rule}`, `  }`,
    `  chain prerouting {`, `    type nat hook prerouting priority -100; policy accept;`, `    ${rule}`, `  }`,
  ];
  return [
    `table ip ${v.table}`,
    `delete table ip ${v.table}`,
    `table ip ${v.table} {`,
    ...chains,
    `}`,
    '',
  ].join('\n');
}
