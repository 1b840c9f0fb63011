// CNI spec versions: which ones podnet speaks and how they compare.
import { CniError, ErrorCode } from './errors.js';

/** Every spec version podnet's plugins accept in a configuration and can print a result in. */
export const SUPPORTED_VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export const CURRENT_VERSION = '1.1.0';

function parts(v: string): [number, number, number] | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

export function isValidVersion(v: unknown): v is string {
  return typeof v === 'string' && parts(v) !== null;
}

/** a >= b for two semantic versions; an unparsable version is never >=. */
export function versionAtLeast(a: string, b: string): boolean {
  const pa = parts(a), pb = parts(b);
  if (!pa || !pb) return false;
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] > pb[i];
  return true;
}

export function isSupportedVersion(v: string): boolean {
  return (SUPPORTED_VERSIONS as readonly string[]).includes(v);
}

/** Go's %q of a string slice, as the reference prints the supported list: ["0.1.0" "0.2.0"]. */
function goQuotedList(list: readonly string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}

/** Throws the reference's code-1 error unless the configuration's version is one we speak. */
export function checkVersion(configVersion: string): void {
  if (!isSupportedVersion(configVersion)) {
    throw new CniError(
      ErrorCode.IncompatibleCNIVersion,
      'incompatible CNI versions',
      `config is ${JSON.stringify(configVersion)}, plugin supports ${goQuotedList(SUPPORTED_VERSIONS)}`,
    );
  }
}

/** The VERSION command's answer. */
export function versionInfo(requested?: string): { cniVersion: string; supportedVersions: string[] } {
  const v = requested && isSupportedVersion(requested) ? requested : CURRENT_VERSION;
  return { cniVersion: v, supportedVersions: [...SUPPORTED_VERSIONS] };
}
