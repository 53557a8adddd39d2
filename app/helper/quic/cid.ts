// Connection IDs: random generation, stateless-reset tokens, the map key used for routing, and
// the spare CIDs a connection issues and retires (QuicConn).
import { createHmac, randomBytes } from 'node:crypto';
import { SCID_LEN } from './config.ts';
import type { NativeConnection } from './native.ts';

/** Spare CIDs we issue once open, so the peer can migrate or probe a new path. */
const SPARE_CIDS = 2;

/** Internal hooks used by QuicListener to keep its CID routing table current. */
export interface CidHooks {
  added(cid: Uint8Array): void;
  retired(cid: Uint8Array): void;
}

export function randomCid(): Uint8Array {
  return new Uint8Array(randomBytes(SCID_LEN));
}

/** The 128-bit reset token quiche wants for a new CID, derived so we need not store it. */
export function resetTokenFor(secret: Uint8Array, cid: Uint8Array): bigint {
  const mac = createHmac('sha256', secret).update('reset').update(cid).digest();
  return mac.readBigUInt64BE(0) * 2n ** 64n + mac.readBigUInt64BE(8);
}

/** Map key of a CID: its bytes as a latin1 string (1:1, no hashing, no collisions). */
export function cidKey(buf: Uint8Array, off = 0, len: number = buf.byteLength - off): string {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return b.toString('latin1', off, off + len);
}

/** Once a connection is open: tell the hooks its own CID and issue up to SPARE_CIDS more. */
export function issueSpareCids(
  native: NativeConnection,
  secret: Uint8Array,
  hooks: CidHooks | undefined,
): void {
  hooks?.added(native.sourceId());
  let left = 0;
  try {
    left = Math.min(SPARE_CIDS, native.sourceCidsLeft());
  } catch {
    return;
  }
  for (let i = 0; i < left; i++) {
    const cid = randomCid();
    try {
      native.newSourceCid(cid, resetTokenFor(secret, cid), false);
      hooks?.added(cid);
    } catch {
      return;
    }
  }
}

/** Hands the CIDs quiche retired (at most 16 per call) to the hooks. */
export function drainRetiredCids(native: NativeConnection, hooks: CidHooks | undefined): void {
  if (hooks === undefined) return;
  for (let i = 0; i < 16; i++) {
    const cid = native.retiredScidNext();
    if (cid === null) return;
    hooks.retired(cid);
  }
}
