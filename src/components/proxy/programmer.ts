// NftProgrammer: makes the kernel's table match a planned Ruleset. It remembers what it last applied
// (never reads the table back: listing a big table costs seconds), sends only the difference as one
// atomic `nft -f -` transaction, and after any failure replaces the whole table, because a failed
// transaction leaves the kernel as it was but the caller's idea of it may be wrong.
import { diffRulesets, renderDeleteTable, type Ruleset } from '../../core/proxy/index.js';
import { nftApply } from '../../linux/nft.js';

/** Applies `nft -f` text; resolves with nft's duration in ms. The kernel one is nftApply. */
export type NftApplier = (text: string) => Promise<number>;

export interface SyncReport {
  /** Whether the whole table was replaced (first sync, fallback after an error, or a definition change). */
  full: boolean;
  /** Time nft took (all attempts), ms. 0 when nothing changed and nft was not run. */
  nftMs: number;
  /** Lines of nft input sent in the successful attempt. */
  lines: number;
  /** The error of a failed incremental transaction that was repaired by a full sync. */
  recoveredFrom?: string;
}

export class NftSyncError extends Error {
  constructor(message: string, readonly incrementalError?: Error) {
    super(message);
    this.name = 'NftSyncError';
  }
}

export class NftProgrammer {
  private last: Ruleset | undefined;
  private readonly apply: NftApplier;

  constructor(opts: { netns?: string; apply?: NftApplier } = {}) {
    this.apply = opts.apply ?? ((text) => nftApply(text, { netns: opts.netns }));
  }

  /** The Ruleset the kernel holds, as far as this programmer knows (undefined before the first sync). */
  get applied(): Ruleset | undefined {
    return this.last;
  }

  /** Forgets what was applied, so that the next sync replaces the whole table. */
  invalidate(): void {
    this.last = undefined;
  }

  /**
   * Brings the table to `next`. An incremental transaction that nft rejects is followed at once by a full
   * one; if that fails too, NftSyncError is thrown and the next sync will be full again.
   */
  async sync(next: Ruleset): Promise<SyncReport> {
    const diff = diffRulesets(this.last, next);
    if (!diff.text) return { full: false, nftMs: 0, lines: 0 };
    const lines = (t: string) => t.split('\n').length - 1;
    let spent = 0;
    try {
      spent += await this.apply(diff.text);
      this.last = next;
      return { full: diff.full, nftMs: spent, lines: lines(diff.text) };
    } catch (e) {
      this.last = undefined;
      if (diff.full) throw new NftSyncError(`replacing nft table ${next.family} ${next.table} failed: ${(e as Error).message}`);
      const incremental = e as Error;
      const full = diffRulesets(undefined, next).text;
      try {
        spent += await this.apply(full);
      } catch (e2) {
        throw new NftSyncError(`incremental update of nft table ${next.family} ${next.table} failed (${incremental.message}), `
          + `and so did replacing the whole table: ${(e2 as Error).message}`, incremental);
      }
      this.last = next;
      return { full: true, nftMs: spent, lines: lines(full), recoveredFrom: incremental.message };
    }
  }

  /** Removes the table (proxy shutdown with cleanup, `podnet down`). */
  async cleanup(table: Pick<Ruleset, 'family' | 'table'>): Promise<void> {
    await this.apply(renderDeleteTable(table));
    this.last = undefined;
  }
}
