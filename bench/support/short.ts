// The benchmarks' quick mode: `--short` or BENCH_SHORT=1 (what `npm run bench -- --short` sets) runs
// each benchmark with smaller sizes, to compare before and after a change in a few minutes. Full runs
// are what BENCHMARKS.md records. Every bench/*.ts takes it (scripts/bench.mjs runs them all).
export const SHORT = process.argv.includes('--short') || process.env.BENCH_SHORT === '1';

/** The full run's value, or the short one in quick mode. */
export function sized<T>(full: T, short: T): T {
  return SHORT ? short : full;
}
