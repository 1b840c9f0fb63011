// Test-only: the real kubectl as an oracle for the patch engines. `kubectl patch --local` applies a patch
// offline with the code and Go structs compiled into kubectl (apimachinery strategicpatch, evanphx/json-patch),
// the same code kube-apiserver runs. It needs no cluster. Never imported by production code.
import { run } from '../../linux/exec.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonObject } from '../api/object.js';

export type PatchKind = 'strategic' | 'merge' | 'json';
export type OracleResult = { ok: true; object: JsonObject } | { ok: false; error: string };

/** The kubectl minor version whose semantics podnet reproduces (the API server reports 1.32). */
const EXPECTED_MINOR = '32';

export class KubectlOracle {
  private readonly dir = mkdtempSync(join(tmpdir(), 'podnet-patch-oracle-'));
  private readonly cacheDir = mkdtempSync(join(tmpdir(), 'podnet-kubectl-cache-'));
  private n = 0;

  /** Fails with an explanation when kubectl is missing or is not 1.32; the oracle tests must not skip. */
  static async require(): Promise<KubectlOracle> {
    let out: string;
    try {
      out = (await run(['kubectl', 'version', '--client', '-o', 'json', '--kubeconfig=/dev/null'], { timeoutMs: 30_000 })).stdout;
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'kubectl is not on PATH' : String((e as Error).message);
      throw new Error(`the patch oracle tests need the real kubectl 1.${EXPECTED_MINOR} (${why}); install kubectl ` +
        `1.${EXPECTED_MINOR} and put it on PATH, e.g. from https://dl.k8s.io/release/v1.32.4/bin/linux/amd64/kubectl`);
    }
    const minor = String(JSON.parse(out).clientVersion?.minor ?? '');
    if (!minor.startsWith(EXPECTED_MINOR)) {
      throw new Error(`the patch oracle tests need kubectl 1.${EXPECTED_MINOR}, found client minor version "${minor}": ` +
        'other versions apply strategic merge patches differently (1.36 strips directives from added values)');
    }
    return new KubectlOracle();
  }

  /** `kubectl patch --local -f obj.json --type <type> -p <patch> -o json`. */
  async patch(obj: JsonObject, patch: unknown, type: PatchKind): Promise<OracleResult> {
    const file = join(this.dir, `obj-${this.n++}.json`);
    writeFileSync(file, JSON.stringify(obj));
    const r = await run([
      'kubectl', 'patch', '--local', '-f', file, '--type', type, '-p', JSON.stringify(patch), '-o', 'json',
      '--kubeconfig=/dev/null', `--cache-dir=${this.cacheDir}`,
    ], { timeoutMs: 30_000, okExitCodes: 'any' });
    if (r.exitCode === 0) return { ok: true, object: JSON.parse(r.stdout) };
    return { ok: false, error: r.stderr.replace(/^error: /, '').replace(/\n$/, '') };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.cacheDir, { recursive: true, force: true });
  }
}
