// The fast counters and histograms read exactly like prom-client's own, alone and summed over processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { FastCounter, FastHistogram } from './fast-metrics.js';

const labelNames = ['server', 'zone', 'type'];
const buckets = [0.00025, 0.001, 0.01, 0.1];
const values = [0.0001, 0.0003, 0.002, 0.05, 0.2, 0.0001];

function fill(fast: boolean): Registry {
  const r = new Registry();
  const c = fast ? new FastCounter({ name: 'x_total', help: 'h', labelNames, registers: [r] }) : new Counter({ name: 'x_total', help: 'h', labelNames, registers: [r] });
  const h = fast ? new FastHistogram({ name: 'x_seconds', help: 'h', labelNames, buckets, registers: [r] }) : new Histogram({ name: 'x_seconds', help: 'h', labelNames, buckets, registers: [r] });
  values.forEach((v, i) => {
    const labels = { type: i % 2 ? 'A' : 'AAAA', zone: '.', server: 'dns://:53' };
    c.labels(labels).inc();
    h.labels(labels).observe(v);
  });
  return r;
}

test('exposition and aggregation match prom-client', async () => {
  assert.equal(await fill(true).metrics(), await fill(false).metrics());
  const sum = async (fast: boolean) => AggregatorRegistry.aggregate([await fill(fast).getMetricsAsJSON(), await fill(fast).getMetricsAsJSON()]).metrics();
  assert.equal(await sum(true), await sum(false));
});
