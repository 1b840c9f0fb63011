// NodePort allocation from `--service-node-port-range` (default 30000-32767), as kube-apiserver's
// portallocator does it: random allocation preferring the upper band (KEP-3668), the lower band left for
// users who pick a fixed nodePort, and upstream's error texts for taken or out-of-range ports.
import { BitmapAllocator, type BitmapAllocatorOptions } from './bitmap-allocator.js';
import { AllocationError } from './allocation-error.js';

export interface PortRange {
  base: number;
  size: number;
}

/** `30000-32767` (inclusive), `30000+100` (base and count after it, inclusive) or `30000`, as utilnet.ParsePortRange. */
export function parsePortRange(s: string): PortRange {
  const text = typeof s === 'string' ? s.trim() : '';
  const bad = (why: string) => new Error(`invalid port range "${s}": ${why}; expected a range like 30000-32767`);
  if (!text) throw bad('empty');
  const num = (t: string): number => {
    if (!/^\d{1,5}$/.test(t)) throw bad(`"${t}" is not a port number`);
    const n = Number(t);
    if (n > 65535) throw bad(`${n} is larger than 65535`);
    return n;
  };
  let low: number, high: number;
  const dash = text.indexOf('-'), plus = text.indexOf('+');
  if (dash >= 0) { low = num(text.slice(0, dash)); high = num(text.slice(dash + 1)); }
  else if (plus >= 0) { low = num(text.slice(0, plus)); high = low + num(text.slice(plus + 1)); }
  else { low = high = num(text); }
  if (high > 65535) throw bad(`the range ends at ${high}, past 65535`);
  if (high < low) throw bad(`the end ${high} is lower than the start ${low}`);
  return { base: low, size: high - low + 1 };
}

export function formatPortRange(r: PortRange): string {
  return `${r.base}-${r.base + r.size - 1}`;
}

/** Size of the lower, static band: min(max(16, size/32), 128), 0 for ranges of 16 or fewer (upstream calculateRangeOffset). */
export function nodePortRangeOffset(size: number): number {
  if (size <= 16) return 0;
  const offset = Math.floor(size / 32);
  return Math.min(Math.max(16, offset), 128);
}

export class PortAllocator {
  readonly portRange: PortRange;
  private readonly bitmap: BitmapAllocator;
  private readonly offset: number;

  constructor(range: string | PortRange, opts: BitmapAllocatorOptions = {}) {
    this.portRange = typeof range === 'string' ? parsePortRange(range) : { ...range };
    this.bitmap = new BitmapAllocator(this.portRange.size, opts);
    this.offset = nodePortRangeOffset(this.portRange.size);
  }

  /** `30000-32767`, as upstream prints it in errors. */
  get range(): string { return formatPortRange(this.portRange); }

  get size(): number { return this.portRange.size; }

  private index(port: number): number {
    const i = port - this.portRange.base;
    if (!Number.isInteger(port) || i < 0 || i >= this.portRange.size) {
      throw new AllocationError('NotInRange', `provided port is not in the valid range. The range of valid ports is ${this.range}`);
    }
    return i;
  }

  /** Allocates a specific port (a user's spec.ports[].nodePort). */
  allocate(port: number): void {
    if (!this.bitmap.allocate(this.index(port))) throw new AllocationError('Allocated', 'provided port is already allocated');
  }

  /** Allocates a random free port, upper band first. */
  allocateNext(): number {
    const i = this.bitmap.allocateRandom(this.offset);
    if (i < 0) throw new AllocationError('Full', `range is full: no free port in ${this.range}; delete unused NodePort Services or widen the node port range`);
    return this.portRange.base + i;
  }

  /** Frees a port; ports outside the range or already free are ignored. */
  release(port: number): void {
    const i = port - this.portRange.base;
    if (Number.isInteger(i) && i >= 0 && i < this.portRange.size) this.bitmap.release(i);
  }

  has(port: number): boolean {
    return this.bitmap.has(port - this.portRange.base);
  }

  inRange(port: number): boolean {
    return Number.isInteger(port) && port >= this.portRange.base && port < this.portRange.base + this.portRange.size;
  }

  used(): number { return this.bitmap.count(); }

  free(): number { return this.bitmap.free(); }

  *allocated(): IterableIterator<number> {
    for (const i of this.bitmap.usedIndices()) yield this.portRange.base + i;
  }

  snapshot(): { range: string; data: Uint8Array } {
    return { range: this.range, data: this.bitmap.snapshot() };
  }

  restore(s: { range: string; data: Uint8Array }): void {
    if (s.range !== this.range) throw new Error(`snapshot is for port range ${s.range}, this allocator serves ${this.range}`);
    this.bitmap.restore(s.data);
  }
}
