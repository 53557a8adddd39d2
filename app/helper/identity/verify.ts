// The peer check that IS our authentication. quiche runs with verify_peer on and verification
// allowed to fail (there is no CA), so TLS only guarantees that the peer holds the private key of
// the leaf certificate it sent; everything else is decided here. Every failure path returns
// {ok:false}; nothing throws.
import { X509Certificate } from 'node:crypto';
import type { NodeId } from '../../core/types.ts';
import { nodeIdFromSpki } from './node-id.ts';

export type PeerExpectation = NodeId | ReadonlySet<NodeId> | ((id: NodeId) => boolean);

export type PeerVerdict = { ok: true; nodeId: NodeId } | { ok: false; reason: string };

/** Longest chain we look at; ours is one self-signed cert, a longer one is not from our software. */
const MAX_CHAIN = 4;
const ALLOWED_KEY_TYPES = new Set(['ed25519', 'ec']);

function isExpected(id: NodeId, expected: PeerExpectation): boolean {
  if (typeof expected === 'string') return id === expected;
  if (typeof expected === 'function') {
    try {
      return expected(id) === true;
    } catch {
      return false;
    }
  }
  return expected.has(id);
}

export function verifyPeerChain(
  chain: readonly Uint8Array[] | null | undefined,
  expected: PeerExpectation,
  nowMs: number = Date.now(),
): PeerVerdict {
  try {
    if (chain === null || chain === undefined || chain.length === 0)
      return { ok: false, reason: 'no certificate' };
    if (chain.length > MAX_CHAIN) return { ok: false, reason: 'certificate chain too long' };
    const leafDer = chain[0];
    if (leafDer === undefined || leafDer.byteLength === 0) return { ok: false, reason: 'empty certificate' };
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(leafDer);
    } catch {
      return { ok: false, reason: 'certificate does not parse' };
    }
    const key = cert.publicKey;
    if (!ALLOWED_KEY_TYPES.has(key.asymmetricKeyType ?? ''))
      return { ok: false, reason: 'unsupported key type' };
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      return { ok: false, reason: 'unsupported curve' };
    }
    if (cert.subject !== cert.issuer || !cert.verify(key))
      return { ok: false, reason: 'self-signature invalid' };
    const notBefore = Date.parse(cert.validFrom);
    const notAfter = Date.parse(cert.validTo);
    if (!Number.isFinite(notBefore) || !Number.isFinite(notAfter))
      return { ok: false, reason: 'validity unreadable' };
    if (nowMs < notBefore) return { ok: false, reason: 'certificate not yet valid' };
    if (nowMs > notAfter) return { ok: false, reason: 'certificate expired' };
    const nodeId = nodeIdFromSpki(key.export({ type: 'spki', format: 'der' }));
    if (!isExpected(nodeId, expected)) return { ok: false, reason: `unexpected NodeId ${nodeId}` };
    return { ok: true, nodeId };
  } catch (e) {
    return { ok: false, reason: `verification error: ${(e as Error).message}` };
  }
}
