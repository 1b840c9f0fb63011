// A bitmap over the indices 0..size-1 of a range (service IPs, node ports, podCIDRs), like
// k8s.io/kubernetes pkg/registry/core/service/allocator: one bit per index, a running count, and scans
// that skip full 32-bit words so that finding a free index in a nearly full 1M range stays cheap.

export type Random = () => number;

export interface BitmapAllocatorOptions {
  /** A source of numbers in [0, 1); Math.random by default. Tests pass a seeded one. */
  random?: Random;
}

/** A seeded generator (mulberry32) for reproducible tests. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class BitmapAllocator {
  readonly size: number;
  private words: Uint32Array;
  private used = 0;
  private readonly random: Random;

  constructor(size: number, opts: BitmapAllocatorOptions = {}) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bitmap size must be a non-negative integer, got ${size}`);
    this.size = size;
    this.words = new Uint32Array(Math.ceil(size / 32));
    this.random = opts.random ?? Math.random;
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new RangeError(`index ${i} is outside 0..${this.size - 1}`);
  }

  has(i: number): boolean {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) return false;
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** Marks i as used; false if it already was. Throws RangeError outside the range. */
  allocate(i: number): boolean {
    this.check(i);
    const w = i >>> 5, bit = 1 << (i & 31);
    if (this.words[w] & bit) return false;
    this.words[w] |= bit;
    this.used++;
    return true;
  }

  /** Frees i; releasing a free or out-of-range index is a no-op (as upstream Release). */
  release(i: number): void {
    if (!this.has(i)) return;
    this.words[i >>> 5] &= ~(1 << (i & 31));
    this.used--;
  }

  /** Number of used indices. */
  count(): number { return this.used; }

  /** Number of free indices. */
  free(): number { return this.size - this.used; }

  /** The first free index in [from, to), or -1. Skips full words. */
  findFree(from = 0, to = this.size): number {
    from = Math.max(0, from);
    to = Math.min(this.size, to);
    let i = from;
    while (i < to) {
      const w = i >>> 5;
      const word = this.words[w];
      if (word === 0xffffffff) { i = (w + 1) << 5; continue; }
      // Bits below i's position in this word are not candidates.
      const avail = ~word & (0xffffffff << (i & 31));
      if (avail === 0) { i = (w + 1) << 5; continue; }
      const idx = (w << 5) + (31 - Math.clz32(avail & -avail));
      return idx < to ? idx : -1;
    }
    return -1;
  }

  /** Allocates the lowest free index, or returns -1 when full. */
  allocateFirstFree(): number {
    const i = this.findFree();
    if (i >= 0) this.allocate(i);
    return i;
  }

  /** Allocates the first free index at or after start, wrapping around inside [lo, hi); -1 when that band is full. */
  allocateFrom(start: number, lo = 0, hi = this.size): number {
    let i = this.findFree(Math.max(start, lo), hi);
    if (i < 0) i = this.findFree(lo, Math.min(start, hi));
    if (i >= 0) this.allocate(i);
    return i;
  }

  /**
   * Allocates a random free index, or -1 when full. With an offset, the upper band [offset, size) is
   * tried first and the lower band [0, offset) only when the upper one is full: upstream's
   * randomScanStrategyWithOffset, which keeps the lower band for users who pick fixed values.
   */
  allocateRandom(offset = 0): number {
    offset = Math.min(Math.max(0, offset), this.size);
    const bands: Array<[number, number]> = offset > 0 ? [[offset, this.size], [0, offset]] : [[0, this.size]];
    for (const [lo, hi] of bands) {
      if (hi <= lo) continue;
      const start = lo + Math.floor(this.random() * (hi - lo));
      const i = this.allocateFrom(start, lo, hi);
      if (i >= 0) return i;
    }
    return -1;
  }

  /** Every used index, ascending. */
  *usedIndices(): IterableIterator<number> {
    for (let w = 0; w < this.words.length; w++) {
      let word = this.words[w];
      while (word !== 0) {
        const low = word & -word;
        yield (w << 5) + (31 - Math.clz32(low));
        word ^= low;
      }
    }
  }

  /** The bitmap as bytes (little-endian words), e.g. to persist next to a range spec as upstream's RangeAllocation. */
  snapshot(): Uint8Array {
    return new Uint8Array(this.words.slice().buffer);
  }

  /** Replaces the state with a snapshot taken from an allocator of the same size. */
  restore(data: Uint8Array): void {
    const want = this.words.length * 4;
    if (data.byteLength !== want) throw new RangeError(`snapshot has ${data.byteLength} bytes, expected ${want} for size ${this.size}`);
    const words = new Uint32Array(this.words.length);
    new Uint8Array(words.buffer).set(data);
    // Bits past size in the last word cannot be valid.
    const tail = this.size & 31;
    if (tail && words.length) words[words.length - 1] &= (1 << tail) - 1;
    this.words = words;
    let used = 0;
    for (const w of words) used += popcount(w);
    this.used = used;
  }
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
