// The synthetic cluster of bench/policy.ts: 1,000 pods and N policies, shaped like real ones (selectors,
// ipBlock with except, port ranges, named ports, egress to a namespace).
import type { NetworkPolicy, Pod } from '../../src/core/policy/index.js';

export /** 1,000 pods (10.244.x.y over 4 nodes, 20 namespaces × 50) and `n` policies selecting pods one by one. */
function synthetic(n: number, opts: { allSelect?: string } = {}) {
  const pods: Pod[] = [];
  for (let i = 0; i < 1000; i++) {
    const ns = `ns-${i % 20}`;
    pods.push({
      metadata: { namespace: ns, name: `pod-${i}`, labels: { app: `app-${i % 100}`, idx: String(i) } },
      spec: { nodeName: `node-${i % 4}`, containers: [{ ports: [{ name: 'http', containerPort: 8080 }] }] },
      status: { phase: 'Running', podIP: `10.244.${i % 4}.${2 + Math.floor(i / 4)}`, podIPs: [{ ip: `10.244.${i % 4}.${2 + Math.floor(i / 4)}` }] },
    });
  }
  const policies: NetworkPolicy[] = [];
  for (let j = 0; j < n; j++) {
    const ns = opts.allSelect ? 'bench' : `ns-${j % 20}`;
    policies.push({
      metadata: { namespace: ns, name: `np-${j}` },
      spec: {
        podSelector: opts.allSelect ? { matchLabels: { role: opts.allSelect } } : { matchLabels: { idx: String(j) } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{
          from: [{ podSelector: { matchLabels: { app: `app-${j % 100}` } }, namespaceSelector: {} }, { ipBlock: { cidr: `192.168.${j % 256}.0/24`, except: [`192.168.${j % 256}.128/25`] } }],
          ports: [{ protocol: 'TCP', port: 8000 + (j % 50), endPort: 8010 + (j % 50) }, { port: 'http' }],
        }],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': `ns-${(j + 1) % 20}` } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
      },
    });
  }
  const namespaces = Array.from({ length: 20 }, (_, i) => ({ metadata: { name: `ns-${i}` } }));
  namespaces.push({ metadata: { name: 'bench' } });
  return { pods, policies, namespaces };
}

