// podnet's cluster DNS server (CoreDNS-compatible). What others may use:
//   runDnsServer(parseDnsArgs(argv))        the process (the `dns` built-in workload)
//   DnsServer.start({ corefile, sourceFor }) the server itself (tests, benchmarks)
//   DnsWorkers.start(server, init, n)       more processes on the server's sockets
//   memorySource(index) / kubeClusterSource(kc, cfg)  where the kubernetes plugin's data comes from
export { DnsServer, type DnsServerOptions } from './server.js';
export { runDnsServer, parseDnsArgs, UsageError, type DnsArgs, type RunningDns } from './run.js';
export { memorySource, type ClusterSource, type ClusterSourceFactory } from './cluster-source.js';
export { kubeClusterSource, kubeConfigFor } from './kube-source.js';
export { configMapCorefile, fileCorefile, type CorefileSource } from './corefile-source.js';
export { DnsMetrics } from './metrics.js';
export { DnsWorkers, type WorkerInit } from './workers.js';
