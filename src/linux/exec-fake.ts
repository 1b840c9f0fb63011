// The recording Executor for tests without root: it records every command (argv, netns, stdin) and every
// sysctl write, and answers from rules the test gives (by default: success, no output). With it each
// wrapper in src/linux is tested for the exact argv it sends, beside its kernel test in a namespace.
//
//   const fake = useRecordingExecutor();            // installs it; restored after the test file
//   fake.on(['ip', '-j', 'link', 'show'], { stdout: '[...]' });
//   await linkExists('eth0');
//   assert.deepEqual(fake.argvs(), [['ip', '-j', 'link', 'show', 'dev', 'eth0']]);
import { after } from 'node:test';
import {
  CommandError, type Executor, type RunOptions, type RunResult, type Step, type StepsOptions, argvIn, exitOk, setExecutor,
} from './exec.js';

export interface RecordedCall {
  /** The argv as given to run(), before the namespace prefix. */
  argv: readonly string[];
  /** The argv the real executor would run (with `ip -n NS`, `ip netns exec` or `nsenter`). */
  full: readonly string[];
  netns?: string;
  input?: string;
  /** For a sysctl step: the writes. */
  sysctls?: readonly (readonly [string, string])[];
}

type Answer = Partial<RunResult> | ((call: RecordedCall) => Partial<RunResult>);

export class RecordingExecutor implements Executor {
  readonly calls: RecordedCall[] = [];
  private readonly rules: { prefix: readonly string[]; answer: Answer }[] = [];

  /** Answers commands whose argv (before the namespace prefix) starts with `prefix`; later rules win. */
  on(prefix: readonly string[], answer: Answer): this {
    this.rules.unshift({ prefix, answer });
    return this;
  }

  /** The recorded argv lists (sysctl steps as ['<sysctl>', 'key=value', ...]). */
  argvs(): string[][] {
    return this.calls.map((c) => [...c.argv]);
  }

  clear(): void {
    this.calls.length = 0;
  }

  private answer(call: RecordedCall): RunResult {
    const rule = this.rules.find((r) => r.prefix.every((w, i) => call.argv[i] === w));
    const a = typeof rule?.answer === 'function' ? rule.answer(call) : rule?.answer;
    return { stdout: a?.stdout ?? '', stderr: a?.stderr ?? '', exitCode: a?.exitCode ?? 0 };
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const call: RecordedCall = { argv: [...argv], full: argvIn(argv, opts.netns), netns: opts.netns, input: opts.input };
    this.calls.push(call);
    const r = this.answer(call);
    if (!exitOk(r.exitCode, opts.okExitCodes)) throw new CommandError(call.full, r.exitCode, r.stderr, r.stdout);
    return r;
  }

  async runSteps(steps: readonly Step[], opts: StepsOptions = {}): Promise<RunResult[]> {
    return steps.map((s) => {
      if ('sysctls' in s) {
        const argv = ['<sysctl>', ...s.sysctls.map(([k, v]) => `${k}=${v}`)];
        const call: RecordedCall = { argv, full: argv, netns: opts.netns, sysctls: s.sysctls };
        this.calls.push(call);
        return this.answer(call);
      }
      const call: RecordedCall = { argv: [...s.argv], full: argvIn(s.argv, opts.netns), netns: opts.netns, input: s.input };
      this.calls.push(call);
      return this.answer(call);
    });
  }

  close(): void { /* nothing to end */ }
}

/** Installs a RecordingExecutor for the rest of this test file (restored in `after`) and returns it. */
export function useRecordingExecutor(): RecordingExecutor {
  const fake = new RecordingExecutor();
  const prev = setExecutor(fake);
  after(() => { setExecutor(prev); });
  return fake;
}
