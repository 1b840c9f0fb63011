// Test support for end-to-end tests against `podnet up`: a private work directory, state root and
// kubeconfig per cluster, and helpers that run the podnet CLI (from the sources) and the real kubectl.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Result { code: number; stdout: string; stderr: string }

export function e2eCluster(cluster: string, opts: { kubectlTimeoutMs?: number } = {}) {
  const repo = new URL('../..', import.meta.url).pathname;
  const work = mkdtempSync(join(tmpdir(), `${cluster}-`));
  const stateRoot = join(work, 'state');
  const stateDir = join(stateRoot, cluster);
  const kubeconfig = join(work, 'kube', 'config');
  const env = { ...process.env, PODNET_STATE_ROOT: stateRoot, KUBECONFIG: kubeconfig };

  function run(argv: string[], timeoutMs = 180_000, input?: string): Promise<Result> {
    return new Promise((resolve) => {
      const p = spawn(argv[0], argv.slice(1), { cwd: repo, env, stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
      let stdout = '', stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      p.stdin.on('error', () => undefined);
      p.stdin.end(input ?? '');
    });
  }

  // PODNET_E2E_DATASTORE=etcd runs every end-to-end test on a cluster whose API server keeps its objects
  // in etcd (`podnet up --datastore etcd`), to check both datastores behave alike.
  const datastore = process.env.PODNET_E2E_DATASTORE;
  const podnet = (...args: string[]) => run([process.execPath, '--import', 'tsx', join(repo, 'src/cli/main.ts'), ...args,
    ...(args[0] === 'up' && datastore && !args.some((a) => a.startsWith('--datastore')) ? ['--datastore', datastore] : [])]);
  const kubectl = (...args: string[]) =>
    run(['kubectl', '--kubeconfig', kubeconfig, '--cache-dir', join(work, 'kubectl-cache'), ...args], opts.kubectlTimeoutMs ?? 90_000);
  const show = (r: Result) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function ok(...args: string[]): Promise<string> {
    const r = await kubectl(...args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${show(r)}`);
    return r.stdout;
  }

  async function apply(yaml: string): Promise<void> {
    const file = join(work, `m-${Date.now()}-${Math.random().toString(16).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    await ok('apply', '-f', file);
  }

  async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(300);
    }
  }

  return { repo, work, stateRoot, stateDir, kubeconfig, env, run, podnet, kubectl, show, sleep, ok, apply, waitFor };
}
