// Counters and histograms for what the server counts on every query. prom-client's labelled children
// validate and hash their labels on every inc/observe, which cost more than answering a query from the
// reply cache; these keep one plain record per label set (the caller holds on to it) and hand
// prom-client's registry the same values its own Counter and Histogram would (names, label order, le
// buckets, _sum/_count), so /metrics, and the sum over worker processes, read exactly as before.
import type { Registry } from 'prom-client';

type Labels = Record<string, string>;
type Value = { value: number; labels: Record<string, string | number>; metricName?: string };

interface Common { name: string; help: string; labelNames: readonly string[]; registers: Registry[] }

function keyOf(labelNames: readonly string[], labels: Labels): string {
  let k = '';
  for (const n of labelNames) {
    const v = labels[n];
    if (v === undefined) throw new Error(`metric label ${n} missing`);
    k += `${v}\u0000`;
  }
  return k;
}

export class FastCounter {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly labelNames: readonly string[];
  private children = new Map<string, { labels: Labels; value: number; inc(n?: number): void }>();

  constructor(o: Common) {
    this.name = o.name; this.help = o.help; this.labelNames = o.labelNames;
    for (const r of o.registers) r.registerMetric(this as never);
  }

  /** The record for one label set; keep it and call inc() on it. */
  labels(labels: Labels): { inc(n?: number): void } {
    const k = keyOf(this.labelNames, labels);
    let c = this.children.get(k);
    if (!c) {
      const child = { labels: { ...labels }, value: 0, inc(n = 1) { child.value += n; } };
      this.children.set(k, c = child);
    }
    return c;
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Value[] }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: [...this.children.values()].map((c) => ({ value: c.value, labels: { ...c.labels } })) };
  }

  reset(): void { this.children = new Map(); }
}

export class FastHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly labelNames: readonly string[];
  private readonly bounds: number[];
  private children = new Map<string, { labels: Labels; counts: Float64Array; sum: number; count: number; observe(v: number): void }>();

  constructor(o: Common & { buckets: number[] }) {
    this.name = o.name; this.help = o.help; this.labelNames = o.labelNames;
    this.bounds = [...o.buckets].sort((a, b) => a - b);
    for (const r of o.registers) r.registerMetric(this as never);
  }

  /** The record for one label set; keep it and call observe() on it. */
  labels(labels: Labels): { observe(v: number): void } {
    const k = keyOf(this.labelNames, labels);
    let c = this.children.get(k);
    if (!c) {
      const bounds = this.bounds;
      const child = {
        labels: { ...labels }, counts: new Float64Array(bounds.length), sum: 0, count: 0,
        observe(v: number) {
          child.sum += v;
          child.count++;
          for (let i = 0; i < bounds.length; i++) if (v <= bounds[i]) { child.counts[i]++; return; }
        },
      };
      this.children.set(k, c = child);
    }
    return c;
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Value[] }> {
    const values: Value[] = [];
    for (const c of this.children.values()) {
      let acc = 0;
      this.bounds.forEach((le, i) => { acc += c.counts[i]; values.push({ value: acc, labels: { le, ...c.labels }, metricName: `${this.name}_bucket` }); });
      values.push({ value: c.count, labels: { le: '+Inf', ...c.labels }, metricName: `${this.name}_bucket` });
      values.push({ value: c.sum, labels: { ...c.labels }, metricName: `${this.name}_sum` });
      values.push({ value: c.count, labels: { ...c.labels }, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void { this.children = new Map(); }
}
