// NftProgrammer: makes the kernel's table match a planned Ruleset. It remembers what it last applied
// (never reads the table back: listing a big table costs seconds), sends only the difference as one
// atomic `nft -f -` transaction, and after any failure replaces the whole table, because a failed
// transaction leaves the kernel as it was but the caller's idea of it may be wrong.
import { diffRulesets, renderDeleteTable, renderRuleset, type Ruleset } from '../../core/nft/index.js';
import type { PlannedChange } from '../../core/proxy/index.js';
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
  /** The IncrementalPlanner generation the kernel holds, when the last sync came from one. */
  private generation: number | undefined;
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
    this.generation = undefined;
  }

  /**
   * Brings the table to `next`. With `change` from an IncrementalPlanner, that transaction is sent if the
   * kernel holds the plan it starts from; otherwise the programmer diffs `next` against the Ruleset it
   * applied last (which must not have been modified since: pass fresh plans, or changes). A transaction
   * nft rejects is followed at once by the full table; if that fails too, NftSyncError is thrown and the
   * next sync will be full again.
   */
  async sync(next: Ruleset, change?: PlannedChange): Promise<SyncReport> {
    let diff: { text: string; full: boolean };
    if (change && this.last && this.generation === change.from) diff = change;    // the kernel holds its base
    else if (change) diff = { text: renderRuleset(next), full: true };            // it doesn't: whole table
    else diff = diffRulesets(this.last, next);
    const done = (full: boolean, nftMs: number, text: string, recoveredFrom?: string): SyncReport => {
      this.last = next;
      this.generation = change?.to;
      return { full, nftMs, lines: text ? text.split('\n').length - 1 : 0, recoveredFrom };
    };
    if (!diff.text) return done(false, 0, '');
    let spent = 0;
    try {
      spent += await this.apply(diff.text);
      return done(diff.full, spent, diff.text);
    } catch (e) {
      this.invalidate();
      if (diff.full) throw new NftSyncError(`replacing nft table ${next.family} ${next.table} failed: ${(e as Error).message}`);
      const incremental = e as Error;
      const full = renderRuleset(next);
      try {
        spent += await this.apply(full);
      } catch (e2) {
        throw new NftSyncError(`incremental update of nft table ${next.family} ${next.table} failed (${incremental.message}), `
          + `and so did replacing the whole table: ${(e2 as Error).message}`, incremental);
      }
      return done(true, spent, full, incremental.message);
    }
  }

  /** Removes the table (proxy shutdown with cleanup, `podnet down`). */
  async cleanup(table: Pick<Ruleset, 'family' | 'table'>): Promise<void> {
    await this.apply(renderDeleteTable(table));
    this.invalidate();
  }
}
