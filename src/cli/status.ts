// podnet status: the clusters on this host, their processes, health, logs and nodes.
import { Command } from 'commander';
import { clusterStatus, listClusters, stateRoot, type ClusterStatus } from '../components/cluster/index.js';
import { fail } from './errors.js';

function print(s: ClusterStatus): void {
  const c = s.config;
  const lines: string[] = [`cluster ${s.name}`];
  lines.push(`  state      ${s.stateDir}  ${s.upFinishedAt ? `(up since ${s.upFinishedAt})` : '(podnet up has not finished: still running, or it crashed; podnet down removes what it made)'}`);
  if (c && s.joined) {
    lines.push(`  joined     ${s.joined} (podnet join): this host is node ${c.nodes[0]?.name}, ${c.nodes[0]?.ip} on ${c.nodes[0]?.uplink ?? 'eth0'}  health: ${s.health}`);
    lines.push(`  ranges     pods ${c.clusterCIDR}, services ${c.serviceCIDR}, ${c.overlay} overlay`);
  } else if (c) {
    lines.push(`  underlay   ${c.underlayCIDR} on ${c.bridge}, host ${c.hostIP}`);
    lines.push(`  api server https://127.0.0.1:${c.apiServerPort} and https://${c.hostIP}:${c.apiServerPort}  health: ${s.health}`);
    lines.push(`  ranges     pods ${c.clusterCIDR}, services ${c.serviceCIDR}, NodePorts ${c.nodePortRange}, ${c.overlay} overlay`);
  } else {
    lines.push('  (no cluster.json: podnet up did not finish; remove the rest with podnet down)');
  }
  lines.push('  processes');
  if (s.processes.length === 0) lines.push('    none recorded');
  for (const p of s.processes) {
    lines.push(`    ${p.name.padEnd(28)} pid ${String(p.pid).padEnd(8)} ${(p.alive ? 'alive' : 'dead').padEnd(6)} ${p.netns ? `netns ${p.netns}  ` : ''}log ${p.log}`);
  }
  lines.push('  nodes');
  for (const n of s.nodes) {
    const where = s.joined ? 'this host' : `netns ${n.netns ? 'present' : 'MISSING'}`;
    lines.push(`    ${n.name.padEnd(28)} ${n.ip.padEnd(15)} ${where}  Ready: ${n.ready ?? 'unknown'}`);
  }
  if (s.otherNetns.length) lines.push(`  other namespaces  ${s.otherNetns.join(' ')}`);
  process.stdout.write(lines.join('\n') + '\n');
}

export function statusCommand(): Command {
  return new Command('status')
    .description('show clusters, their server and agents (pid, alive, logs), API health and nodes')
    .option('--name <name>', 'only this cluster')
    .action(async (o: { name?: string }) => {
      try {
        const names = o.name ? [o.name] : listClusters();
        if (names.length === 0) {
          process.stdout.write(`no clusters (state root ${stateRoot()}); create one with podnet up\n`);
          return;
        }
        let missing = false;
        for (const name of names) {
          const s = await clusterStatus(name);
          if (!s) { process.stdout.write(`cluster "${name}" does not exist; create it with podnet up${name === 'podnet' ? '' : ` --name ${name}`}\n`); missing = true; continue; }
          print(s);
        }
        if (missing) process.exitCode = 1;
      } catch (e) {
        fail('status', e);
      }
    });
}
