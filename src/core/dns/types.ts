// DNS message model shared by the codec, the planners and the server. Names are in presentation form
// (labels joined by '.', no trailing dot, '.' for the root; bytes outside printable ASCII and the
// characters '.' and '\' inside a label are written \DDD), so that a name read from the wire and
// written back is byte-identical, whatever a client put in it.

export const RRType = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, HINFO: 13, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41,
  IXFR: 251, AXFR: 252, ANY: 255,
} as const;

export const RRClass = { IN: 1, CH: 3, ANY: 255 } as const;

export const Rcode = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16,
} as const;

export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;

const TYPE_NAMES = new Map<number, string>(Object.entries(RRType).map(([k, v]) => [v, k]));
const RCODE_NAMES = new Map<number, string>(Object.entries(Rcode).map(([k, v]) => [v, k]));

/** `A`, `SRV`, or `TYPE65` for types without a name here (RFC 3597 presentation). */
export function typeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `TYPE${type}`;
}

export function rcodeName(rcode: number): string {
  return RCODE_NAMES.get(rcode) ?? `RCODE${rcode}`;
}

export interface Question {
  name: string;
  type: number;
  class: number;
}

export interface SrvData { priority: number; weight: number; port: number; target: string }
export interface MxData { preference: number; exchange: string }
export interface SoaData { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
export interface HinfoData { cpu: string; os: string }

/**
 * Record data by type: A/AAAA an address string; NS/CNAME/PTR a name; TXT its character-strings;
 * SRV, MX, SOA, HINFO their fields; any other type its raw RDATA bytes.
 */
export type RData = string | string[] | SrvData | MxData | SoaData | HinfoData | Uint8Array;

export interface ResourceRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: RData;
}

export interface EdnsOption { code: number; data: Uint8Array }

/** The OPT pseudo-record of EDNS(0) (RFC 6891), lifted out of the additional section. */
export interface Edns {
  udpSize: number;
  version: number;
  /** DNSSEC OK. */
  do: boolean;
  options: EdnsOption[];
}

export interface Message {
  id: number;
  /** Response (QR). */
  qr: boolean;
  opcode: number;
  /** Authoritative answer. */
  aa: boolean;
  /** Truncated. */
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  /** The full rcode: the header's 4 bits plus EDNS's extended 8 bits. */
  rcode: number;
  question: Question[];
  answer: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  edns?: Edns;
}

/** A reply to `query`: same id, opcode, RD, CD and question; everything else empty. */
export function replyTo(query: Message, rcode: number = Rcode.NOERROR): Message {
  return {
    id: query.id, qr: true, opcode: query.opcode, aa: false, tc: false, rd: query.rd, ra: false, ad: false,
    cd: query.cd, rcode, question: query.question.slice(0, 1), answer: [], authority: [], additional: [],
  };
}

export function newQuery(name: string, type: number, opts: { id?: number; rd?: boolean; edns?: Edns } = {}): Message {
  return {
    id: opts.id ?? Math.floor(Math.random() * 0x10000), qr: false, opcode: Opcode.QUERY, aa: false, tc: false,
    rd: opts.rd ?? true, ra: false, ad: false, cd: false, rcode: Rcode.NOERROR,
    question: [{ name, type, class: RRClass.IN }], answer: [], authority: [], additional: [], edns: opts.edns,
  };
}
