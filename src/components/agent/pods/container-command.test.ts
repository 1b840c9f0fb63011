import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImageError, containerLaunch, normalizedImage, resolveExecutable } from './container-command.js';

test('built-in images run their workload; a command naming it too', () => {
  assert.deepEqual(containerLaunch({ name: 'c', image: 'nginx:latest' }, {}), { kind: 'builtin', workload: 'nginx', args: [] });
  assert.deepEqual(containerLaunch({ name: 'c', image: 'registry.k8s.io/e2e-test-images/agnhost:2.52', args: ['netexec', '--http-port=8080'] }, {}),
    { kind: 'builtin', workload: 'agnhost', args: ['netexec', '--http-port=8080'] });
  assert.deepEqual(containerLaunch({ name: 'c', image: 'registry.k8s.io/e2e-test-images/agnhost:2.52', command: ['/agnhost', 'serve-hostname'] }, {}),
    { kind: 'builtin', workload: 'agnhost', args: ['serve-hostname'] });
  assert.deepEqual(containerLaunch({ name: 'c', image: 'registry.k8s.io/pause:3.10' }, {}), { kind: 'builtin', workload: 'pause', args: [] });
});

test('shell images run host tools: their default shell, the args, or the command; $(VAR) expanded', () => {
  assert.deepEqual(containerLaunch({ name: 'c', image: 'busybox' }, {}), { kind: 'host', argv: ['sh'] });
  assert.deepEqual(containerLaunch({ name: 'c', image: 'busybox', args: ['sleep', '3600'] }, {}), { kind: 'host', argv: ['sleep', '3600'] });
  assert.deepEqual(containerLaunch({ name: 'c', image: 'curlimages/curl', args: ['-s', 'http://$(HOST)/'] }, { HOST: 'web' }), { kind: 'host', argv: ['curl', '-s', 'http://web/'] });
  assert.deepEqual(containerLaunch({ name: 'c', image: 'nginx', command: ['sh', '-c', 'echo hi'] }, {}), { kind: 'host', argv: ['sh', '-c', 'echo hi'] });
});

test('an unknown image runs its command, and without one cannot run (ErrImagePull with what podnet runs)', () => {
  assert.deepEqual(containerLaunch({ name: 'c', image: 'example.com/app:1', command: ['sleep', '1'] }, {}), { kind: 'host', argv: ['sleep', '1'] });
  assert.throws(() => containerLaunch({ name: 'c', image: 'example.com/app:1' }, {}),
    (e: Error) => e instanceof ImageError && e.reason === 'ErrImagePull' && /podnet runs built-in images \(nginx/.test(e.message));
  assert.throws(() => containerLaunch({ name: 'c', image: 'Nginx' }, {}),
    (e: Error) => e instanceof ImageError && e.reason === 'InvalidImageName' && /repository name must be lowercase/.test(e.message));
});

test('images as the runtime reports them', () => {
  assert.equal(normalizedImage('nginx'), 'docker.io/library/nginx:latest');
  assert.equal(normalizedImage('curlimages/curl:8.5.0'), 'docker.io/curlimages/curl:8.5.0');
  assert.equal(normalizedImage('registry.k8s.io/e2e-test-images/agnhost:2.52'), 'registry.k8s.io/e2e-test-images/agnhost:2.52');
});

test('executables resolve through PATH', () => {
  assert.equal(resolveExecutable('sh', '/nonexistent:/bin:/usr/bin'), '/bin/sh');
  assert.equal(resolveExecutable('no-such-tool-here'), undefined);
});
