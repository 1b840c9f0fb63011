// What the trace e2e tests check of a `podnet trace --prove -o json` answer: the hops the kernel took,
// and that every predicted hop on them was confirmed.
import assert from 'node:assert/strict';
import type { Hop, TraceResult } from '../../src/core/trace/index.js';

/** The hops on the path the kernel took. */
export function taken(t: TraceResult): Hop[] {
  return [...t.hops, ...(t.branches[t.proved?.branch ?? 0]?.hops ?? [])];
}

/** Every predicted hop with an expectation on the taken path is confirmed by the kernel; no disagreement. */
export function assertProved(t: TraceResult, text: string): void {
  assert.deepEqual(t.proved?.bugs, [], text);
  for (const h of taken(t)) {
    if (h.expect) assert.equal(h.proof?.status, 'confirmed', `${h.where}: ${h.summary}\n${text}`);
  }
}
