// The loadbalance plugin's round_robin: in every section of a successful reply, A/AAAA and MX records
// are shuffled, CNAMEs stay first and the rest keep their place after them (coredns plugin/loadbalance).
import { Rcode, RRType, type Message, type ResourceRecord } from './types.js';

function shuffle<T>(xs: T[], random: () => number): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
}

export function roundRobin(records: ResourceRecord[], random: () => number = Math.random): ResourceRecord[] {
  if (records.length < 2) return records;
  const cname: ResourceRecord[] = [];
  const address: ResourceRecord[] = [];
  const mx: ResourceRecord[] = [];
  const rest: ResourceRecord[] = [];
  for (const r of records) {
    if (r.type === RRType.CNAME) cname.push(r);
    else if (r.type === RRType.A || r.type === RRType.AAAA) address.push(r);
    else if (r.type === RRType.MX) mx.push(r);
    else rest.push(r);
  }
  shuffle(address, random);
  shuffle(mx, random);
  return [...cname, ...rest, ...address, ...mx];
}

/** Shuffles a NOERROR reply in place (other rcodes and zone transfers are left alone). */
export function loadBalance(m: Message, random: () => number = Math.random): Message {
  if (m.rcode !== Rcode.NOERROR) return m;
  const t = m.question[0]?.type;
  if (t === RRType.AXFR || t === RRType.IXFR) return m;
  m.answer = roundRobin(m.answer, random);
  m.authority = roundRobin(m.authority, random);
  m.additional = roundRobin(m.additional, random);
  return m;
}

/** Whether loadBalance could reorder this reply (a section holds two or more A/AAAA or two or more MX records). */
export function hasShuffle(m: Message): boolean {
  if (m.rcode !== Rcode.NOERROR) return false;
  const t = m.question[0]?.type;
  if (t === RRType.AXFR || t === RRType.IXFR) return false;
  return [m.answer, m.authority, m.additional].some((rs) => {
    let address = 0, mx = 0;
    for (const r of rs) {
      if (r.type === RRType.A || r.type === RRType.AAAA) address++;
      else if (r.type === RRType.MX) mx++;
    }
    return address > 1 || mx > 1;
  });
}
