import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabelSelector, formatLabels, joinHostPort, labelSelectorString, layoutContainerCells, listWithMore } from './common.js';

test('formatLabels: sorted k=v, <none> when empty', () => {
  assert.equal(formatLabels({ tier: 'web', app: 'shop' }), 'app=shop,tier=web');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
});

test('label selectors print as labels.Selector.String(): requirements by key, set values sorted', () => {
  const sel = {
    matchLabels: { 'app.kubernetes.io/name': 'web' },
    matchExpressions: [
      { key: 'zone', operator: 'In' as const, values: ['b', 'a'] },
      { key: 'canary', operator: 'Exists' as const },
      { key: 'legacy', operator: 'DoesNotExist' as const },
    ],
  };
  assert.equal(labelSelectorString(sel), 'app.kubernetes.io/name=web,canary,!legacy,zone in (a,b)');
  assert.equal(labelSelectorString({}), '');
  assert.equal(labelSelectorString(undefined), '');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector({ matchLabels: { a: 'b' } }), 'a=b');
});

test('lists, containers and host:port', () => {
  assert.equal(listWithMore([]), '<unset>');
  assert.equal(listWithMore(['a', 'b', 'c']), 'a,b,c');
  assert.equal(listWithMore(['a', 'b', 'c', 'd']), 'a,b,c + 1 more...');
  assert.deepEqual(layoutContainerCells([{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }]), ['a,b', 'x,y']);
  assert.deepEqual(layoutContainerCells(undefined), ['', '']);
  assert.equal(joinHostPort('10.0.0.1', 80), '10.0.0.1:80');
  assert.equal(joinHostPort('fd00::1', 80), '[fd00::1]:80');
});
