// The trace as text for a terminal: one block per hop, where it happens and what decided it, the
// branches the proxy may choose, --prove marks, and the verdict.
import type { Hop, TraceResult } from './types.js';

const MARK = { confirmed: '✔ confirmed', contradicted: '✘ CONTRADICTED', unverified: '? unverified' } as const;

function hopLines(h: Hop, n: number, indent: string): string[] {
  const head = `${indent}${String(n).padStart(2)}. ${h.ok ? '' : 'FAIL '}[${h.where}] ${h.summary}`;
  const out = [head, `${indent}      decided by: ${h.decidedBy}`];
  for (const w of h.why) out.push(`${indent}      · ${w}`);
  if (h.fix) out.push(`${indent}      fix: ${h.fix}`);
  if (h.proof) {
    out.push(`${indent}      kernel: ${MARK[h.proof.status]}`);
    for (const e of h.proof.evidence.slice(0, 4)) out.push(`${indent}        ${e}`);
  }
  return out;
}

export function renderTrace(t: TraceResult): string {
  const lines = [`trace ${t.from} → ${t.to} (${t.proto}${t.dstIP ? `, ${t.srcIP} → ${t.dstIP}:${t.dstPort}` : ''})`];
  let n = 1;
  for (const h of t.hops) lines.push(...hopLines(h, n++, ''));
  t.branches.forEach((b, i) => {
    const taken = t.proved?.branch === i ? '  ← the kernel took this one' : '';
    if (t.branches.length > 1) lines.push(`  ${i === 0 ? 'via' : 'or'} endpoint ${b.endpoint}${b.pod ? ` (pod ${b.pod} on ${b.node})` : ''}, probability ${Math.round(b.probability * 100)}%${taken}`);
    let k = n;
    for (const h of b.hops) lines.push(...hopLines(h, k++, t.branches.length > 1 ? '    ' : ''));
  });
  if (t.next) {
    lines.push('', `second leg: nginx's own connection, ${t.next.from} → ${t.next.to}`);
    const inner = renderTrace({ ...t.next, proved: undefined, timings: undefined }).trimEnd().split('\n');
    // Its hops only: the leg's verdict and proof are folded into this trace's.
    lines.push(...inner.slice(1, inner.findIndex((l, i) => i > 0 && /^(OK|BLOCKED): /.test(l)) - 1).map((l) => `  ${l}`));
  }
  lines.push('', `${t.ok ? 'OK' : 'BLOCKED'}: ${t.verdict}`);
  if (t.proved) {
    if (t.proved.connect) lines.push(`prove: the real connection ${t.proved.connect}`);
    if (t.proved.bugs.length) {
      lines.push('prove: the model and the kernel DISAGREE (a podnet bug; please report it with this output):');
      for (const b of t.proved.bugs) lines.push(`  - ${b}`);
    } else lines.push('prove: every checked hop agrees with the kernel');
  }
  if (t.timings) lines.push(`time: API ${t.timings.snapshotMs} ms, kernel facts ${t.timings.factsMs} ms, model ${t.timings.modelMs} ms${t.timings.proveMs !== undefined ? `, prove ${t.timings.proveMs} ms` : ''}`);
  return lines.join('\n') + '\n';
}
