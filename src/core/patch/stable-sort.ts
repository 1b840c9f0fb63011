// Go's sort.SliceStable: insertion sort on blocks of 20, then SymMerge of the blocks (Kim & Kutzner).
// Strategic merge patch orders list elements with a comparator that is not a strict weak order when an
// element is missing from the reference order (it answers "less" both ways). For such inputs the result
// depends on the exact sequence of comparisons, so podnet follows Go's algorithm step by step instead of
// relying on Array.prototype.sort.

export type Less<T> = (a: T, b: T) => boolean;

const BLOCK_SIZE = 20;

/** Sorts `data` in place, stable, with the comparisons Go's sort.SliceStable makes. */
export function goStableSort<T>(data: T[], less: Less<T>): void {
  const n = data.length;
  const lessAt = (i: number, j: number): boolean => less(data[i], data[j]);
  const swap = (i: number, j: number): void => { const t = data[i]; data[i] = data[j]; data[j] = t; };

  const insertionSort = (a: number, b: number): void => {
    for (let i = a + 1; i < b; i++) {
      for (let j = i; j > a && lessAt(j, j - 1); j--) swap(j, j - 1);
    }
  };

  const swapRange = (a: number, b: number, count: number): void => {
    for (let i = 0; i < count; i++) swap(a + i, b + i);
  };

  // Rotates data[a:m] and data[m:b] so that data[m:b] comes first, by block swaps.
  const rotate = (a: number, m: number, b: number): void => {
    let i = m - a;
    let j = b - m;
    while (i !== j) {
      if (i > j) { swapRange(m - i, m, j); i -= j; } else { swapRange(m - i, m + j - i, i); j -= i; }
    }
    swapRange(m - i, m, i);
  };

  // Merges the sorted runs data[a:m] and data[m:b] in place.
  const symMerge = (a: number, m: number, b: number): void => {
    if (m - a === 1) {
      // Binary search for the first element of data[m:b] not less than data[a], then rotate data[a] there.
      let i = m;
      let j = b;
      while (i < j) {
        const h = (i + j) >>> 1;
        if (lessAt(h, a)) i = h + 1; else j = h;
      }
      for (let k = a; k < i - 1; k++) swap(k, k + 1);
      return;
    }
    if (b - m === 1) {
      let i = a;
      let j = m;
      while (i < j) {
        const h = (i + j) >>> 1;
        if (!lessAt(m, h)) i = h + 1; else j = h;
      }
      for (let k = m; k > i; k--) swap(k, k - 1);
      return;
    }
    const mid = (a + b) >>> 1;
    const nn = mid + m;
    let start: number;
    let r: number;
    if (m > mid) { start = nn - b; r = mid; } else { start = a; r = m; }
    const p = nn - 1;
    while (start < r) {
      const c = (start + r) >>> 1;
      if (!lessAt(p - c, c)) start = c + 1; else r = c;
    }
    const end = nn - start;
    if (start < m && m < end) rotate(start, m, end);
    if (a < start && start < mid) symMerge(a, start, mid);
    if (mid < end && end < b) symMerge(mid, end, b);
  };

  let blockSize = BLOCK_SIZE;
  let a = 0;
  let b = blockSize;
  while (b <= n) { insertionSort(a, b); a = b; b += blockSize; }
  insertionSort(a, n);
  while (blockSize < n) {
    a = 0;
    b = 2 * blockSize;
    while (b <= n) { symMerge(a, a + blockSize, b); a = b; b += 2 * blockSize; }
    const m = a + blockSize;
    if (m < n) symMerge(a, m, n);
    blockSize *= 2;
  }
}
