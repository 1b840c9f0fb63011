import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { mergeKubeconfig, unmergeKubeconfig, userKubeconfigPath, kubeconfigEntryName } from './kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'pnt6-kc-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const creds = { server: 'https://127.0.0.1:6443', caData: 'Q0E=', token: 'tok' };

test('user kubeconfig path: first KUBECONFIG entry, else ~/.kube/config', () => {
  assert.equal(userKubeconfigPath({ KUBECONFIG: '/a/x:/b/y', HOME: '/h' }), '/a/x');
  assert.equal(userKubeconfigPath({ KUBECONFIG: ':/b/y', HOME: '/h' }), '/b/y');
  assert.equal(userKubeconfigPath({ HOME: '/h' }), '/h/.kube/config');
  assert.equal(kubeconfigEntryName('podnet'), 'podnet-podnet');
});

test('merge into a new file, then unmerge deletes the file podnet created', () => {
  const path = join(dir, 'new', 'config');
  const r = mergeKubeconfig(path, 'podnet-pnt6a', creds);
  assert.deepEqual(r, { previousContext: undefined, created: true });
  const doc = parse(readFileSync(path, 'utf8'));
  assert.equal(doc['current-context'], 'podnet-pnt6a');
  assert.equal(doc.clusters[0].cluster.server, 'https://127.0.0.1:6443');
  assert.equal(doc.clusters[0].cluster['certificate-authority-data'], 'Q0E=');
  assert.equal(doc.users[0].user.token, 'tok');
  assert.deepEqual(doc.contexts[0].context, { cluster: 'podnet-pnt6a', user: 'podnet-pnt6a' });
  assert.equal(unmergeKubeconfig(path, 'podnet-pnt6a', r), true);
  assert.equal(existsSync(path), false);
  assert.equal(unmergeKubeconfig(path, 'podnet-pnt6a', r), false);
});

test('merge keeps other entries, unmerge restores the previous current-context', () => {
  const path = join(dir, 'existing');
  writeFileSync(path, [
    'apiVersion: v1', 'kind: Config', 'clusters:', '- name: kind-kind', '  cluster: {server: "https://127.0.0.1:1234"}',
    'users:', '- name: kind-kind', '  user: {token: x}', 'contexts:', '- name: kind-kind', '  context: {cluster: kind-kind, user: kind-kind}',
    'current-context: kind-kind', '',
  ].join('\n'));
  const r = mergeKubeconfig(path, 'podnet-pnt6b', creds);
  assert.deepEqual(r, { previousContext: 'kind-kind', created: false });
  // A second merge (up again after a crash) replaces rather than duplicates.
  mergeKubeconfig(path, 'podnet-pnt6b', { ...creds, token: 'tok2' });
  let doc = parse(readFileSync(path, 'utf8'));
  assert.deepEqual(doc.contexts.map((c: { name: string }) => c.name), ['kind-kind', 'podnet-pnt6b']);
  assert.equal(doc.users[1].user.token, 'tok2');
  assert.equal(unmergeKubeconfig(path, 'podnet-pnt6b', r), true);
  doc = parse(readFileSync(path, 'utf8'));
  assert.equal(doc['current-context'], 'kind-kind');
  assert.deepEqual(doc.clusters.map((c: { name: string }) => c.name), ['kind-kind']);
});

test('unmerge when the previous context is gone leaves no current-context; another current context is kept', () => {
  const path = join(dir, 'gone');
  mergeKubeconfig(path, 'podnet-pnt6c', creds);
  const r = mergeKubeconfig(path, 'podnet-pnt6d', creds);
  assert.equal(r.previousContext, 'podnet-pnt6c');
  unmergeKubeconfig(path, 'podnet-pnt6c', {});
  unmergeKubeconfig(path, 'podnet-pnt6d', r);
  assert.equal(parse(readFileSync(path, 'utf8'))['current-context'], undefined);
  mergeKubeconfig(path, 'podnet-pnt6e', creds);
  mergeKubeconfig(path, 'podnet-pnt6f', creds);
  unmergeKubeconfig(path, 'podnet-pnt6e', {});
  assert.equal(parse(readFileSync(path, 'utf8'))['current-context'], 'podnet-pnt6f');
});
