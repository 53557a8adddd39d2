// NodeId: the printable identity of a node, derived from its public key.
//
//   NodeId = "qe1" + base32(SHA-256(SubjectPublicKeyInfo DER)[0..20])
//
// base32 is RFC 4648's alphabet in lower case without padding: 20 bytes = 160 bits = exactly 32
// characters, so every NodeId is 35 characters, e.g. "qe1k3v...". "qe" names the product and "1"
// the derivation version (a future scheme bumps it). 160 bits of SHA-256 keeps second-preimage
// attacks out of reach (2^160 work) while staying short enough to read and paste.
import { createHash, X509Certificate } from 'node:crypto';
import type { Decoded, NodeId } from '../../core/types.ts';

export const NODE_ID_PREFIX = 'qe1';
/** Bytes of the SHA-256 digest kept in a NodeId. */
export const NODE_ID_HASH_BYTES = 20;
export const NODE_ID_LENGTH = NODE_ID_PREFIX.length + (NODE_ID_HASH_BYTES * 8) / 5;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const NODE_ID_RE = /^qe1[a-z2-7]{32}$/;

function base32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >>> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/** NodeId of a DER-encoded SubjectPublicKeyInfo. */
export function nodeIdFromSpki(spkiDer: Uint8Array): NodeId {
  const digest = createHash('sha256').update(spkiDer).digest();
  return (NODE_ID_PREFIX + base32(digest.subarray(0, NODE_ID_HASH_BYTES))) as NodeId;
}

/** NodeId of a DER certificate's public key. Never throws: a certificate that does not parse says so. */
export function nodeIdFromCertDer(der: Uint8Array): Decoded<NodeId> {
  try {
    const cert = new X509Certificate(der);
    const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
    return { ok: true, value: nodeIdFromSpki(spki) };
  } catch (e) {
    return { ok: false, error: `certificate does not parse: ${(e as Error).message}` };
  }
}

/** Validates the textual form (from config files, the CLI, the control socket). */
export function parseNodeId(s: string): Decoded<NodeId> {
  const t = s.trim();
  return NODE_ID_RE.test(t)
    ? { ok: true, value: t as NodeId }
    : { ok: false, error: 'not a NodeId (qe1 + 32 base32 characters)' };
}
