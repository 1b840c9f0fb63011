// Programs the bridge plugin's ipMasq state (planned in core/cni/masq-plan.ts) with nft.
import type { IPPrefix, IPFamily } from '../../core/net/index.js';
import { isIP, parseIP } from '../../core/net/index.js';
import {
  type MapElement, masqAddScript, masqDelKeysScript, masqDelScript, nftFamily, parseMapElements,
} from '../../core/cni/masq-plan.js';
import { NftError, nftApply, nftListJson } from '../../linux/nft.js';

export async function masqAdd(table: string, addrs: IPPrefix[], comment: string): Promise<void> {
  await nftApply(masqAddScript(table, addrs, comment));
}

async function elements(table: string): Promise<{ fam: IPFamily; el: MapElement }[]> {
  const out: { fam: IPFamily; el: MapElement }[] = [];
  for (const fam of [4, 6] as const) {
    const json = await nftListJson(['map', nftFamily(fam), table, 'pods']);
    if (json) for (const el of parseMapElements(json)) out.push({ fam, el });
  }
  return out;
}

/** Removes elements whose comment matches; used when the addresses are unknown or moved. */
async function deleteWhere(table: string, match: (comment: string | undefined) => boolean): Promise<void> {
  const keys = (await elements(table)).filter((e) => match(e.el.comment)).filter((e) => isIP(e.el.key)).map((e) => parseIP(e.el.key));
  await nftApply(masqDelKeysScript(table, keys));
}

/**
 * Removes an attachment's masquerading. With known addresses it is one blind, idempotent
 * transaction; otherwise (netns gone and no prevResult, or the element points elsewhere) the map is
 * listed and the attachment's elements are found by comment.
 */
export async function masqDel(table: string, addrs: IPPrefix[], comment: string): Promise<void> {
  if (addrs.length) {
    try {
      await nftApply(masqDelScript(table, addrs));
      return;
    } catch (e) {
      if (!(e instanceof NftError)) throw e;
    }
  }
  await deleteWhere(table, (c) => c === comment);
}

/** GC: drops this network's elements whose attachment is not in the valid set. */
export async function masqGc(table: string, network: string, validComments: Set<string>): Promise<void> {
  await deleteWhere(table, (c) => c !== undefined && c.startsWith(`${network}/`) && !validComments.has(c));
}
