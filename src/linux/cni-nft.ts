// nftables for the CNI plugins (bridge ipMasq, portmap): atomic `nft -f` transactions and JSON
// listings, run through the pooled helper shell (src/linux/cni-shell.ts) so that each costs one
// fork of nft instead of a Node spawn. The service proxy's own nftables code is in nft.ts.
import { heredoc, shQuote, shellRun } from './cni-shell.js';

export class NftError extends Error {
  constructor(readonly stderr: string, what: string) {
    super(`nft ${what} failed: ${stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
    this.name = 'NftError';
  }
}

/** Applies a script as one transaction; throws NftError with nft's message on failure. */
export async function nftApply(script: string): Promise<void> {
  if (!script.trim()) return;
  const h = heredoc(script);
  const r = await shellRun(`nft -f - ${h.redirect}${h.body}`);
  if (r.status !== 0) throw new NftError(r.stderr, '-f');
}

/**
 * `nft -j list <what...>`; resolves null when the object does not exist (nothing to clean up).
 * `what` is an argv such as ['map', 'ip', 'podnet_masquerade', 'pods'].
 */
export async function nftListJson(what: string[]): Promise<unknown | null> {
  const r = await shellRun(`nft -j list ${what.map(shQuote).join(' ')}`);
  if (r.status !== 0) {
    if (/No such file or directory|does not exist/.test(r.stderr)) return null;
    throw new NftError(r.stderr, `list ${what.join(' ')}`);
  }
  return r.stdout.trim() ? JSON.parse(r.stdout) : null;
}
