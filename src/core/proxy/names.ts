// Chain and set names for per-service objects, shaped like kube-proxy's nftables names
// (`service-<hash>-<ns>/<svc>/<proto>/<port>`): readable in `nft list table`, with a hash prefix that keeps
// them unique when truncated to nft's limit.
import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** nft allows 256 bytes; kube-proxy keeps its base names under 240. */
const MAX_NAME = 240;

/** First 8 characters of base32(sha256(text)), as kube-proxy's hashAndTruncate. */
export function shortHash(text: string): string {
  const digest = createHash('sha256').update(text).digest();
  let bits = 0, value = 0, out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 8) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= 8) break;
  }
  return out;
}

function named(prefix: string, hashed: string, readable: string): string {
  return `${prefix}-${shortHash(hashed)}-${readable}`.slice(0, MAX_NAME);
}

/** `service-`, `local-`, `external-`, `firewall-` chains of one service port (`ns/svc/proto/port`). */
export function servicePortChain(prefix: 'service' | 'local' | 'external' | 'firewall', id: string): string {
  return named(prefix, id, id);
}

/** The chain that DNATs to one endpoint of one service port. */
export function endpointChain(id: string, ip: string, port: number): string {
  const readable = `${id}__${ip}/${port}`;
  return named('endpoint', readable, readable);
}

/** The dynamic set of clients stuck to one endpoint; the timeout is hashed in so that changing it
 * makes a new set rather than a definition change that nft can't apply in place. */
export function affinitySet(id: string, ip: string, port: number, timeout: number): string {
  const readable = `${id}__${ip}/${port}`;
  return named('affinity', `${readable}/${timeout}`, readable);
}
